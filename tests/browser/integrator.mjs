// A council's contracts, portfolio, document checks, finance integration and open data in a real
// browser, against `marketplace serve` on a fresh embedded default where the whole `marketplace
// demo` ran to its award: without signing in, Lambeth's published contracts lead to the tender's
// public page with its published answer, and the OCDS package downloads (the open tenders are read
// on a second marketplace that `marketplace demo --stop-after-publishing` left open); Lambeth's
// officer reads micro-tender and block contracts side by side, registers a block contract (a form
// sent without its value and dates refused first), reads the portfolio's chart and its table and
// downloads the OCDS package, verifies a provider's document and rejects another with a reason (a
// missing reason refused); Lambeth's finance system reads the council's events, records a
// purchase-order number on the awarded contract (nothing typed refused first) and reads how to
// subscribe; Woking's officer sees no Lambeth contract and no Lambeth provider's documents, and
// the integrator no officer's page. Every page is checked with axe-core with govuk-frontend's
// script and with it blocked, and screenshotted into target/portal-screenshots.
//
// Usage: node integrator.mjs [path to the marketplace binary]
// With PORTAL_TIMINGS=<n>, it then fetches each of these pages n times as the person who uses it
// and prints how long each took to serve (p50, p99): the figures in BENCHMARKS.md.

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { binary, check, errorSummary, screenshots, signInAs, startMarketplace, timings, violations } from "./support.mjs";

const bidPeriod = "6";

/** A new browser context for someone not signed in, with govuk-frontend's script and the
 * portal's blocked when `withScript` is false. */
async function contextFor(browser, withScript) {
  const context = await browser.newContext();
  if (!withScript) {
    await context.route("**/assets/govuk-frontend.min.js", (route) => route.abort());
    await context.route("**/assets/portal.js", (route) => route.abort());
  }
  return context;
}

const OFFICER = "Olu Adeyemi, procurement officer at Lambeth (from the demo)";
const FINANCE = "Lambeth's finance system, the integrator (from the demo)";
const WOKING = "Wendy Hart, procurement officer at Woking (from the demo)";

/** The OCDS package a download link gives. */
async function download(page, link) {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const json = JSON.parse(readFileSync(await file.path(), "utf8"));
  assert.ok(Array.isArray(json.releases) && json.releases.length > 0, "an OCDS release package with releases");
  return json;
}

/** Without signing in: the open tenders, a council's contracts, a tender's public page, the OCDS download. */
async function publicPages(browser, openUrl, url, mode, withScript) {
  const context = await contextFor(browser, withScript);
  const page = await context.newPage();
  await page.goto(openUrl);
  await page.getByRole("link", { name: "Read the open tenders" }).click();
  await page.getByRole("heading", { name: "Open tenders", level: 1 }).waitFor();
  assert.ok((await page.locator("h2 a").count()) >= 2, "the demo's two open tenders");
  assert.equal(await page.getByText("Sign out").count(), 0, "nobody is signed in");
  await check(page, `${mode}-public-01-open-tenders`);
  await page.locator("h2 a").first().click();
  await page.getByText("To ask a question or bid").waitFor();
  await check(page, `${mode}-public-02-open-tender`);

  await page.goto(url);
  await page.getByRole("link", { name: "Read the open tenders" }).click();
  assert.equal(await page.locator("h2 a").count(), 0, "every tender of the full demo has closed");
  await page.getByRole("link", { name: "Lambeth's contracts" }).click();
  await page.getByRole("heading", { name: "Lambeth's contracts" }).waitFor();
  const table = await page.locator(".govuk-table").textContent();
  assert.match(table, /Day opportunities, borough-wide/);
  assert.match(table, /Tulse Hill Friendship Club/);
  assert.doesNotMatch(await page.locator("#main-content").textContent(), /PO-448812|sealed/, "no finance references or bids");
  await check(page, `${mode}-public-03-council-contracts`);
  const json = await download(page, page.getByRole("link", { name: /Download Lambeth's OCDS release package/ }));
  assert.ok(!JSON.stringify(json).includes("PO-448812"), "no purchase order in the open data");
  await page.getByRole("link", { name: "Community connectors for isolated older people, Brixton and Stockwell" }).click();
  await page.getByText("This tender no longer takes bids.").waitFor();
  const answers = page.locator("#questions ~ .govuk-summary-list");
  assert.ok((await answers.count()) >= 1, "the council's published answer");
  await check(page, `${mode}-public-04-tender-answers`);
  await context.close();
}

/** Lambeth's officer: contracts side by side, a block contract registered, the portfolio. */
async function officer(browser, url, mode, withScript) {
  const { context, page } = await signInAs(browser, url, OFFICER, { withScript });
  await page.getByRole("link", { name: "Contracts", exact: true }).click();
  await page.getByRole("heading", { name: "Micro-tenders" }).waitFor();
  assert.match(await page.locator("#micro ~ .govuk-table").textContent(), /Tulse Hill Friendship Club/);
  assert.match(await page.locator("#block ~ .govuk-table").textContent(), /Large Care Group plc/);
  await check(page, `${mode}-officer-01-contracts`);

  await page.getByRole("button", { name: "Register a block contract" }).click();
  await check(page, `${mode}-officer-02-register`);
  const title = `Home library service (${mode})`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Supplier's legal name").fill("Lambeth Libraries Trust");
  await page.getByRole("button", { name: "Register the contract" }).click();
  const refused = await errorSummary(page);
  assert.deepEqual(refused, [
    "Enter the contract's value for its whole period, in pounds",
    "Choose the kind of service it buys",
    "Enter the day it started",
    "Enter the day it ends",
  ]);
  assert.equal(await page.getByLabel("Title").inputValue(), title, "what was typed is kept");
  await check(page, `${mode}-officer-03-register-errors`);
  await page.getByLabel("Value for the whole period, in pounds").fill("36,000");
  await page.getByLabel("Small: income under £1 million and fewer than 50 paid staff").check();
  await page.locator("#vcse").check();
  await page.getByLabel("Befriending face to face").check();
  await page.locator("#start-day").fill("1");
  await page.locator("#start-month").fill("5");
  await page.locator("#start-year").fill("2026");
  await page.locator("#end-day").fill("30");
  await page.locator("#end-month").fill("4");
  await page.locator("#end-year").fill("2028");
  await page.getByRole("button", { name: "Register the contract" }).click();
  await page.getByText("Block contract registered.").waitFor();
  assert.match(await page.locator("#block ~ .govuk-table").textContent(), new RegExp(title.replace(/[()]/g, "\\$&")));
  await check(page, `${mode}-officer-04-registered`);
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("heading", { name: title }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Record finance references" }).count(), 0, "an officer does not record them");
  await check(page, `${mode}-officer-05-contract`);

  await page.goto(`${url}dashboard`);
  await page.getByRole("link", { name: "Portfolio" }).click();
  await page.getByRole("link", { name: "2026 to 2027" }).or(page.getByText("2026 to 2027")).first().waitFor();
  await page.goto(`${url}portfolio?year=2026`);
  const chart = page.locator("svg[role=img]");
  assert.equal(await chart.count(), 1, "the chart, drawn on the server");
  assert.match(await chart.locator("title").textContent(), /The portfolio for 2026 to 2027/);
  assert.match(await chart.locator("desc").textContent(), /with micro and small providers/);
  const routes = await page.locator("table", { has: page.locator("caption", { hasText: "Value by route" }) }).textContent();
  // The demo's block contract (£450,000) and each run's registered one (£36,000) start in 2026.
  assert.match(routes, /Block contracts\s+(2|3)\s+£(486|522),000/);
  const shares = await page.locator("table", { has: page.locator("caption", { hasText: "Share of the value" }) }).textContent();
  assert.match(shares, /Voluntary, community and social enterprises/);
  await check(page, `${mode}-officer-06-portfolio`);
  await download(page, page.getByRole("link", { name: /Download Lambeth's OCDS release package/ }));
  await page.goto(`${url}portfolio?year=2027`);
  assert.match(await page.locator("table", { has: page.locator("caption", { hasText: "Value by route" }) }).textContent(), /£21,000/);
  await check(page, `${mode}-officer-07-portfolio-next-year`);
  await context.close();
}

/** Lambeth's officer checks a provider's documents: verifies one, rejects another with a reason. */
async function verification(browser, url, mode, withScript) {
  const { context, page } = await signInAs(browser, url, OFFICER, { withScript });
  await page.getByRole("link", { name: "Documents to check" }).click();
  await page.getByRole("heading", { name: "Documents to check" }).waitFor();
  await check(page, `${mode}-verify-01-providers`);
  await page.getByRole("link", { name: "Brixton Good Neighbours" }).click();
  await page.getByRole("heading", { name: "Brixton Good Neighbours", level: 1 }).waitFor();
  await check(page, `${mode}-verify-02-documents`);
  const path = new URL(page.url()).pathname;
  // Brixton Good Neighbours' two certificates wait to be checked: one is verified with
  // JavaScript, the other rejected without it; a rejection without a reason is refused in both.
  if (withScript) {
    await page.getByRole("button", { name: /^Verify / }).first().click();
    await page.getByText("Document verified.").waitFor();
    await check(page, `${mode}-verify-03-verified`);
  }
  await page.getByRole("button", { name: /^Reject / }).first().click();
  assert.deepEqual(await errorSummary(page), ["Enter why the document is rejected"]);
  await check(page, `${mode}-verify-04-reject-errors`);
  if (!withScript) {
    await page.locator(".govuk-form-group--error textarea").fill("The certificate is not signed.");
    await page.locator("form", { has: page.locator(".govuk-form-group--error") }).getByRole("button", { name: /^Reject / }).click();
    await page.getByText("Document rejected.").waitFor();
    assert.match(await page.locator("#main-content").textContent(), /Lambeth: The certificate is not signed\./);
    assert.equal(await page.getByRole("button", { name: /^(Verify|Reject) / }).count(), 0, "each decided once");
    await check(page, `${mode}-verify-05-rejected`);
  }
  await context.close();
  return path;
}

/** Lambeth's finance system: the council's events, a purchase order recorded, the subjects. */
async function integrator(browser, url, mode, withScript) {
  const { context, page } = await signInAs(browser, url, FINANCE, { withScript });
  await page.getByRole("link", { name: "Events", exact: true }).click();
  await page.getByRole("heading", { name: "Events", level: 1 }).waitFor();
  const events = await page.locator(".govuk-table").textContent();
  for (const type of ["tendering.contract_awarded", "tendering.bidders_notified", "tendering.contract_registered", "tendering.finance_linked", "tendering.tender_published"]) {
    assert.ok(events.includes(type), `the events list ${type}`);
  }
  assert.match(events, /A contract was awarded: “Community connectors for isolated older people, Brixton and Stockwell” with Tulse Hill Friendship Club, £21,000/);
  assert.match(events, /purchase order PO-448812/);
  assert.doesNotMatch(events, /Woking/, "only Lambeth's events");
  await check(page, `${mode}-finance-01-events`);

  await page.goto(`${url}contracts`);
  await page.getByRole("link", { name: "Community connectors for isolated older people, Brixton and Stockwell" }).click();
  await page.getByRole("button", { name: "Record finance references" }).click();
  await check(page, `${mode}-finance-02-form`);
  for (const label of ["Purchase-order number", "Supplier reference", "Cost centre"]) await page.getByLabel(label).fill("");
  await page.getByRole("button", { name: "Record references" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter a purchase-order number, a supplier reference or a cost centre"]);
  await check(page, `${mode}-finance-03-form-errors`);
  const order = `PO-${mode === "js" ? "5501" : "5502"}`;
  await page.getByLabel("Purchase-order number").fill(order);
  await page.getByRole("button", { name: "Record references" }).click();
  await page.getByText("Finance references recorded.").waitFor();
  assert.equal((await page.locator(".govuk-summary-list__row", { hasText: "Purchase-order number" }).locator("dd").textContent()).trim(), order);
  await check(page, `${mode}-finance-04-recorded`);
  await page.goto(`${url}integrator/events`);
  await page.getByText(`purchase order ${order}`).first().waitFor({ timeout: 10_000 }).catch(async () => {
    await page.reload();
    await page.getByText(`purchase order ${order}`).first().waitFor();
  });

  await page.getByRole("link", { name: "What each event carries and how to subscribe" }).click();
  await page.getByRole("heading", { name: "Events and how to subscribe" }).waitFor();
  assert.match(await page.locator("#main-content").textContent(), /commissioning\.lambeth\.>/);
  await check(page, `${mode}-finance-05-subjects`);
  const portfolio = await page.goto(`${url}portfolio`);
  assert.equal(portfolio.status(), 403, "the integrator has no officer's pages");
  await context.close();
}

/** Woking's officer: no Lambeth contract and no Lambeth provider's documents. */
async function woking(browser, url, mode, withScript, documentsPath) {
  const { context, page } = await signInAs(browser, url, WOKING, { withScript });
  await page.goto(`${url}contracts`);
  const text = await page.locator("#main-content").textContent();
  assert.doesNotMatch(text, /Tulse Hill Friendship Club|Large Care Group/, "no Lambeth contract");
  await check(page, `${mode}-woking-01-contracts`);
  const response = await page.goto(`${url}${documentsPath.slice(1)}`);
  assert.equal(response.status(), 403, "no Lambeth provider's documents");
  assert.equal(await page.locator("h1").textContent(), "You cannot see this page");
  await check(page, `${mode}-woking-02-documents-refused`);
  await page.goto(`${url}verification`);
  assert.doesNotMatch(await page.locator("#main-content").textContent(), /Brixton Good Neighbours/);
  const events = await page.goto(`${url}integrator/events`);
  assert.equal(events.status(), 403, "an officer is not the integrator");
  await context.close();
}

/** A context signed in as `who`, or a stranger's when `who` is null. */
async function contextOf(browser, url, who) {
  return who ? (await signInAs(browser, url, who)).context : await browser.newContext();
}

/** The id in the first link to `prefix` on the page `path` as `who`. */
async function firstId(browser, url, who, path, prefix) {
  const context = await contextOf(browser, url, who);
  const page = await context.newPage();
  await page.goto(`${url}${path}`);
  const href = await page.locator(`a[href^="${prefix}"]`).first().getAttribute("href");
  await context.close();
  return href.slice(prefix.length).split("?")[0];
}

const awarded = await startMarketplace({ TENDERING_MINIMUM_BID_PERIOD_SECS: bidPeriod });
const open = await startMarketplace();
let browser;
try {
  const story = spawnSync(binary, ["--data-dir", awarded.data, "demo", "--address", awarded.grpc, "--bid-period-secs", bidPeriod], { encoding: "utf8" });
  assert.equal(story.status, 0, `the demo did not run to its award:\n${story.stdout}\n${story.stderr}`);
  const posted = spawnSync(binary, ["--data-dir", open.data, "demo", "--address", open.grpc, "--bid-period-secs", String(7 * 24 * 3600), "--stop-after-publishing"], { encoding: "utf8" });
  assert.equal(posted.status, 0, `the demo did not post its tenders:\n${posted.stdout}\n${posted.stderr}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  for (const withScript of [true, false]) {
    const mode = withScript ? "js" : "no-js";
    await publicPages(browser, open.url, awarded.url, mode, withScript);
    await officer(browser, awarded.url, mode, withScript);
    const documentsPath = await verification(browser, awarded.url, mode, withScript);
    await integrator(browser, awarded.url, mode, withScript);
    await woking(browser, awarded.url, mode, withScript, documentsPath);
  }
  assert.deepEqual(violations, [], `axe found violations:\n${violations.join("\n")}`);
  if (process.env.PORTAL_TIMINGS) {
    const repeats = Number(process.env.PORTAL_TIMINGS);
    const url = awarded.url;
    const contract = await firstId(browser, url, FINANCE, "contracts", "/contracts/");
    const provider = await firstId(browser, url, OFFICER, "verification", "/verification/");
    const tender = await firstId(browser, open.url, null, "open/tenders", "/open/tenders/");
    const pages = [
      [url, OFFICER, ["contracts", `contracts/${contract}`, "contracts/new", "portfolio?year=2026", "verification", `verification/${provider}`]],
      [url, FINANCE, ["integrator/events", `contracts/${contract}/finance`, "integrator/subjects"]],
      [open.url, null, ["open/tenders", `open/tenders/${tender}`]],
      [url, null, ["open/councils/lambeth/contracts", "open/councils/lambeth/ocds.json"]],
    ];
    for (const [at, who, paths] of pages) {
      const context = await contextOf(browser, at, who);
      await timings(context, at, paths, repeats);
      await context.close();
    }
  }
  console.log(`browser journey of contracts, portfolio, documents, integration and open data: passed, with and without JavaScript; screenshots in ${screenshots}`);
} finally {
  await browser?.close();
  for (const marketplace of [awarded, open]) {
    marketplace.child.kill("SIGTERM");
    rmSync(marketplace.data, { recursive: true, force: true });
  }
}
