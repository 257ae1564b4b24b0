// A closed tender's evaluation and award in a real browser, against `marketplace serve` on a fresh
// embedded default where `marketplace demo --stop-after-bidding` left Lambeth's tender closed with
// two sealed bids: the officer reads the opening record (hashes, no contents) and assigns the
// panel (Eve Okafor, Rosa Martin as a resident limited to her criteria, Mo Shah as moderator); each
// evaluator scores each bid with a reason per criterion (a missing reason refused), blind to the
// others; Mo sees the spread, agrees the scores and completes; the officer reads the ranking with
// each bidder's evidence, and the award page names the winner's shortfall; the award is refused
// until the Tulse Hill Friendship Club renews its cover and the officer verifies it; another bid
// needs a reason. The scoring and award pages are used with the keyboard only. Woking's officer,
// an evaluator not on the panel and a bidder are refused. Every page is checked with axe-core with
// govuk-frontend's script and with it blocked, and screenshotted into target/portal-screenshots.
//
// Usage: node panel.mjs [path to the marketplace binary]
// With PORTAL_TIMINGS=<n>, it fetches each of the panel's pages n times (just before the award) as
// the person who uses it and prints how long each took to serve (p50, p99): the figures in BENCHMARKS.md.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { binary, check, errorSummary, screenshots, signInAs, startMarketplace, timings, violations } from "./support.mjs";

const bidPeriod = "6";
const problems = [];

/** Someone signed in as `who` twice: with govuk-frontend's script (`page`, `js`) and with it blocked (`nojs`). */
async function signInTwice(browser, url, who) {
  const person = { js: await signInAs(browser, url, who), nojs: await signInAs(browser, url, who, { withScript: false }) };
  for (const { page } of [person.js, person.nojs]) {
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`${who}: ${message.text()}`);
    });
  }
  person.page = person.js.page;
  person.close = async () => {
    await person.js.context.close();
    await person.nojs.context.close();
  };
  return person;
}

/** Checks the page `person` is on with axe, then the same address without the script. */
async function checkBoth(person, name) {
  await check(person.page, `panel-js-${name}`);
  await person.nojs.page.goto(person.page.url());
  await check(person.nojs.page, `panel-no-js-${name}`);
}

/** Checks a page a form's post gave `person` with axe, then the same post without the script:
 * `path` opened and `send` (given the page) doing it. */
async function checkBothPosted(person, name, path, send) {
  await check(person.page, `panel-js-${name}`);
  await person.nojs.page.goto(path);
  await send(person.nojs.page);
  await person.nojs.page.locator(".govuk-error-summary").waitFor();
  await check(person.nojs.page, `panel-no-js-${name}`);
}

/** Presses Tab until the focused element matches `selector` (keyboard only, no mouse). */
async function tabTo(page, selector, { shift = false } = {}) {
  for (let presses = 0; presses < 200; presses++) {
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
    if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Tabs to a text field and types `text` into it, replacing what it held. */
async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text);
}

/** Each criterion of a scoring or moderation form: its number and whether it is pass/fail. */
async function formCriteria(page) {
  const numbers = await page.locator("textarea[name^=reason-]").evaluateAll((fields) => fields.map((field) => Number(field.name.slice("reason-".length))));
  const criteria = [];
  for (const number of numbers) {
    criteria.push({ number, passFail: (await page.locator(`input[name=pass_fail-${number}]`).count()) > 0 });
  }
  return criteria;
}

/** Scores every criterion of the open form with the keyboard only, leaving out the reason of `skipReason`. */
async function scoreByKeyboard(page, reason, { skipReason } = {}) {
  await page.locator("body").focus();
  for (const { number, passFail } of await formCriteria(page)) {
    if (passFail) {
      await tabTo(page, `input[name=pass_fail-${number}]`);
      await page.keyboard.press("Space");
    } else {
      await typeInto(page, `#score-${number}`, "4");
    }
    if (number !== skipReason) await typeInto(page, `#reason-${number}`, `${reason} (criterion ${number})`);
  }
  await tabTo(page, "button.govuk-button:not(.portal-sign-out)");
  await page.keyboard.press("Enter");
}

/** Scores every criterion of the open form with the mouse. */
async function scoreByMouse(page, score, reason) {
  for (const { number, passFail } of await formCriteria(page)) {
    if (passFail) await page.locator(`input[name=pass_fail-${number}][value=pass]`).check();
    else await page.locator(`#score-${number}`).fill(String(score));
    await page.locator(`#reason-${number}`).fill(`${reason} (criterion ${number})`);
  }
}

/** The page `person` gets at `path`: refused (403 or 404, said plainly) or sent to their own dashboard. */
async function refused(person, path) {
  const response = await person.page.goto(path);
  const heading = (await person.page.locator("h1").textContent()).trim();
  const sentAway = person.page.url().endsWith("/dashboard");
  assert.ok(
    [403, 404].includes(response.status()) || sentAway,
    `${path} should be refused, got ${response.status()} "${heading}" at ${person.page.url()}`,
  );
  if (!sentAway) assert.match(heading, /^(You cannot see this page|Page not found)$/);
  const text = await person.page.locator("#main-content").textContent();
  assert.doesNotMatch(text, /[0-9a-f]{64}/, "no bid hash");
  assert.doesNotMatch(text, /GP surgery/, "no bid contents");
}

const { url, grpc, child, data } = await startMarketplace({ TENDERING_MINIMUM_BID_PERIOD_SECS: bidPeriod });
const story = spawnSync(binary, ["--data-dir", data, "demo", "--address", grpc, "--bid-period-secs", bidPeriod, "--stop-after-bidding"], { encoding: "utf8" });
assert.equal(story.status, 0, `the demo did not stop after bidding:\n${story.stdout}\n${story.stderr}`);
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });

  // The officer finds the closed tender on the dashboard and reads its opening record.
  const olu = await signInTwice(browser, url, "Olu Adeyemi, procurement officer at Lambeth (from the demo)");
  await checkBoth(olu, "01-officer-dashboard");
  await olu.page.locator('a[href$="/panel"]', { hasText: "Community connectors for isolated older people, Brixton and Stockwell" }).click();
  await olu.page.getByRole("heading", { name: "The evaluation panel" }).waitFor();
  const tenderPath = new URL(olu.page.url()).pathname.replace(/\/panel$/, "");
  await checkBoth(olu, "02-panel-empty");
  await olu.page.getByRole("link", { name: "The opening record" }).click();
  await olu.page.getByRole("heading", { name: "Opening record" }).waitFor();
  const hashes = await olu.page.locator(".portal-hash").allTextContents();
  assert.equal(hashes.length, 2, "two bids opened");
  for (const hash of hashes) assert.match(hash.trim(), /^[0-9a-f]{64}$/);
  const opening = await olu.page.locator("#main-content").textContent();
  assert.match(opening, /Tulse Hill Friendship Club/);
  assert.match(opening, /Stockwell Community Connect/, "the consortium's partner");
  assert.doesNotMatch(opening, /GP surgery|£21,000|£23,500/, "no bid's contents or price on the opening record");
  await checkBoth(olu, "03-opening-record");

  // Another council's officer and a bidder are refused everything of the panel's.
  const wendy = await signInTwice(browser, url, "Wendy Hart, procurement officer at Woking (from the demo)");
  const bidder = await signInTwice(browser, url, "A volunteer at Brixton Good Neighbours (from the demo)");
  for (const page of ["opening-record", "panel", "ranking", "award", "scoring", "moderation"]) {
    await refused(wendy, `${url}${tenderPath.slice(1)}/${page}`);
    await refused(bidder, `${url}${tenderPath.slice(1)}/${page}`);
  }
  await check(wendy.page, "panel-js-04-other-council-refused");

  // The panel: a form sent empty, a resident without criteria, then Eve and Rosa.
  await olu.page.goto(`${url}${tenderPath.slice(1)}/panel`);
  const nojsPanel = olu.nojs.page;
  await nojsPanel.goto(`${url}${tenderPath.slice(1)}/panel`);
  await nojsPanel.getByRole("button", { name: "Put on the panel" }).click();
  assert.deepEqual(await errorSummary(nojsPanel), ["Enter their user ID, as they sign in to the marketplace", "Enter their name, as the panel knows them"]);
  await check(nojsPanel, "panel-no-js-05-panel-errors");
  await nojsPanel.getByLabel("Their user ID").fill("rosa.martin");
  await nojsPanel.getByLabel("Their name").fill("Rosa Martin, resident of Brixton");
  await nojsPanel.getByLabel("Resident evaluator").check();
  await nojsPanel.getByRole("button", { name: "Put on the panel" }).click();
  assert.deepEqual(await errorSummary(nojsPanel), ["Select the criteria the resident scores"]);
  assert.equal(await nojsPanel.getByLabel("Their user ID").inputValue(), "rosa.martin", "kept");
  await check(olu.page, "panel-js-05-panel");
  const residentCriteria = nojsPanel.getByRole("group", { name: "The criteria a resident scores" }).getByRole("checkbox");
  const criterionNames = [];
  for (let index = 0; index < (await residentCriteria.count()); index++) {
    criterionNames.push((await nojsPanel.locator(`label[for="${await residentCriteria.nth(index).getAttribute("id")}"]`).textContent()).trim());
  }
  assert.ok(criterionNames.length >= 2, `quality and social value criteria to choose from: ${criterionNames}`);
  const rosasCriterion = criterionNames.at(-1);
  await nojsPanel.getByLabel(rosasCriterion).check();
  await nojsPanel.getByRole("button", { name: "Put on the panel" }).click();
  await nojsPanel.getByText(`Resident evaluator: ${rosasCriterion}`).waitFor();
  await olu.page.reload();
  await olu.page.getByLabel("Their user ID").fill("eve.okafor");
  await olu.page.getByLabel("Their name").fill("Eve Okafor, commissioning officer");
  await olu.page.getByLabel("Evaluator", { exact: true }).check();
  await olu.page.getByRole("button", { name: "Put on the panel" }).click();
  await olu.page.locator(".govuk-summary-list__key", { hasText: "Eve Okafor, commissioning officer" }).waitFor();

  // Mo is not on the panel yet: an evaluator not on it sees nothing of it.
  const mo = await signInTwice(browser, url, "Mo Shah, moderator of Lambeth's panel (from the demo)");
  for (const page of ["scoring", "moderation", `scoring/${"0".repeat(8)}`]) await refused(mo, `${url}${tenderPath.slice(1)}/${page}`);
  await mo.page.goto(`${url}dashboard`);
  assert.equal(await mo.page.getByText("Community connectors for isolated").count(), 0, "not on Mo's dashboard");
  await check(mo.page, "panel-js-06-not-on-the-panel");
  await olu.page.getByLabel("Their user ID").fill("mo.shah");
  await olu.page.getByLabel("Their name").fill("Mo Shah, moderator");
  await olu.page.getByLabel("Moderator").check();
  await olu.page.getByRole("button", { name: "Put on the panel" }).click();
  await olu.page.locator(".govuk-summary-list__key", { hasText: "Mo Shah, moderator" }).waitFor();
  await checkBoth(olu, "07-panel-assigned");

  // Eve scores the first bid with the keyboard only: a reason left out is refused on its field.
  const eve = await signInTwice(browser, url, "Eve Okafor, evaluator on Lambeth's panel (from the demo)");
  await eve.page.goto(`${url}dashboard`);
  await checkBoth(eve, "08-evaluator-dashboard");
  await eve.page.locator("body").focus();
  await tabTo(eve.page, `a[href="${tenderPath}/scoring"]`);
  await eve.page.keyboard.press("Enter");
  await eve.page.getByRole("heading", { name: "Score the bids" }).waitFor();
  await checkBoth(eve, "09-scoring");
  await eve.page.locator("body").focus();
  await tabTo(eve.page, ".govuk-task-list__link");
  await eve.page.keyboard.press("Enter");
  await eve.page.getByRole("heading", { name: /'s bid$/ }).waitFor();
  assert.match(await eve.page.locator("#main-content").textContent(), /GP surgery/, "the panel reads the bid's answers");
  await checkBoth(eve, "10-scoring-bid");
  const eveCriteria = await formCriteria(eve.page);
  assert.ok(eveCriteria.length >= 2, "Eve scores every criterion but price");
  await scoreByKeyboard(eve.page, "Eve: a clear plan rooted in the neighbourhood", { skipReason: eveCriteria[0].number });
  const missing = await errorSummary(eve.page);
  assert.equal(missing.length, 1, missing.join(" | "));
  assert.match(missing[0], /^Enter the reason for the score for /);
  assert.equal(await eve.page.locator(`#score-${eveCriteria[0].number}`).inputValue(), eveCriteria[0].passFail ? "" : "4", "kept");
  await checkBothPosted(eve, "11-scoring-reason-missing", eve.page.url(), (page) => page.getByRole("button", { name: "Save scores" }).click());
  await typeInto(eve.page, `#reason-${eveCriteria[0].number}`, "Eve: volunteers already at the GP surgery");
  await tabTo(eve.page, "button.govuk-button:not(.portal-sign-out)");
  await eve.page.keyboard.press("Enter");
  await eve.page.getByRole("heading", { name: "Score the bids" }).waitFor();
  await eve.page.locator(".govuk-task-list__item").nth(1).getByRole("link").click();
  await scoreByMouse(eve.page, 3, "Eve: fewer links with GP surgeries");
  await eve.page.getByRole("button", { name: "Save scores" }).click();
  await eve.page.getByRole("heading", { name: "Score the bids" }).waitFor();
  assert.deepEqual((await eve.page.locator(".govuk-task-list__status").allTextContents()).map((text) => text.trim()), ["Scored", "Scored"]);
  await eve.page.getByRole("button", { name: "Finish scoring" }).click();
  await eve.page.getByText("You have finished scoring.").waitFor();

  // Rosa, the resident: only her criterion, and nothing of Eve's scores.
  const rosa = await signInTwice(browser, url, "Rosa Martin, a resident on Lambeth's panel (from the demo)");
  await rosa.page.goto(`${url}dashboard`);
  await rosa.page.getByRole("link", { name: "Community connectors for isolated older people, Brixton and Stockwell" }).click();
  assert.match(await rosa.page.locator("#main-content").textContent(), new RegExp(`Score each bid on ${rosasCriterion}, with`));
  for (let index = 0; index < 2; index++) {
    await rosa.page.locator(".govuk-task-list__item").nth(index).getByRole("link").click();
    const text = await rosa.page.locator("#main-content").textContent();
    assert.doesNotMatch(text, /Eve:/, "blind to Eve's scores");
    const criteria = await formCriteria(rosa.page);
    assert.equal(criteria.length, 1, "only the resident's criterion");
    assert.equal(await rosa.page.getByLabel(`Score for ${rosasCriterion}`).count(), 1);
    if (index === 0) await checkBoth(rosa, "12-resident-scoring-bid");
    await scoreByMouse(rosa.page, index === 0 ? 5 : 2, "Rosa: how people in Brixton would feel about it");
    await rosa.page.getByRole("button", { name: "Save scores" }).click();
    await rosa.page.getByRole("heading", { name: "Score the bids" }).waitFor();
  }
  await rosa.page.getByRole("button", { name: "Finish scoring" }).click();
  await rosa.page.getByText("You have finished scoring.").waitFor();
  await checkBoth(rosa, "13-resident-finished");

  // Mo moderates: every score and reason, the spread, then the agreed scores; then completes.
  await mo.page.goto(`${url}dashboard`);
  await checkBoth(mo, "14-moderator-dashboard");
  await mo.page.getByRole("link", { name: "Community connectors for isolated older people, Brixton and Stockwell" }).click();
  await mo.page.getByRole("heading", { name: "Moderate the scores" }).waitFor();
  await mo.page.getByRole("button", { name: "Complete the evaluation" }).click();
  const incomplete = await errorSummary(mo.page);
  assert.match(incomplete[0], /^The evaluation could not be completed: /);
  await checkBothPosted(mo, "15-moderation", `${url}${tenderPath.slice(1)}/moderation`, (page) => page.getByRole("button", { name: "Complete the evaluation" }).click());
  for (let index = 0; index < 2; index++) {
    await mo.page.locator(".govuk-task-list__item").nth(index).getByRole("link").click();
    await mo.page.getByRole("heading", { name: /^Agree the scores of / }).waitFor();
    const text = await mo.page.locator("#main-content").textContent();
    assert.match(text, /Eve Okafor, commissioning officer/);
    assert.match(text, /Rosa Martin, resident of Brixton/);
    assert.match(text, /Spread/);
    if (index === 0) {
      assert.match(text, /Spread\s*1 \(from the lowest score to the highest\)/, "Eve's 4 and Rosa's 5");
      await checkBoth(mo, "16-moderation-bid");
      await mo.page.getByRole("button", { name: "Save agreed scores" }).click();
      assert.ok((await errorSummary(mo.page)).length >= 2, "each criterion needs its agreed score and reason");
      await check(mo.page, "panel-js-17-moderation-errors");
    }
    await scoreByMouse(mo.page, index === 0 ? 4 : 3, "Agreed: evidence of reaching housebound people would score 5");
    await mo.page.getByRole("button", { name: "Save agreed scores" }).click();
    await mo.page.getByRole("heading", { name: "Moderate the scores" }).waitFor();
  }
  await mo.page.getByRole("button", { name: "Complete the evaluation" }).click();
  await mo.page.getByRole("heading", { name: "Evaluation completed" }).waitFor();
  await checkBoth(mo, "18-completed");

  // The officer's ranking, with each bidder's evidence status.
  await olu.page.goto(`${url}${tenderPath.slice(1)}/ranking`);
  const cards = olu.page.locator(".govuk-summary-card");
  const club = cards.filter({ hasText: "Tulse Hill Friendship Club" });
  assert.equal((await club.locator(".govuk-tag").textContent()).trim(), "Evidence falls short");
  assert.match(await club.textContent(), /public liability/i);
  await checkBoth(olu, "19-ranking");
  const winner = (await cards.first().locator(".govuk-summary-card__title").textContent()).trim().replace(/^1: /, "");
  assert.equal(winner, "Tulse Hill Friendship Club", "the demo's winner: the lowest price");

  // Declaring the tender unsuccessful needs a reason (it is not declared).
  await olu.nojs.page.goto(`${url}${tenderPath.slice(1)}/unsuccessful`);
  await check(olu.nojs.page, "panel-no-js-20-unsuccessful");
  await olu.nojs.page.getByRole("button", { name: "Declare unsuccessful" }).click();
  assert.deepEqual(await errorSummary(olu.nojs.page), ["Enter why no bid is acceptable: every bidder reads it"]);
  await check(olu.nojs.page, "panel-no-js-21-unsuccessful-errors");

  // The award page names the winner's shortfall before the button; with the keyboard only,
  // another bid without a reason is refused, and the recommended one is refused for its cover.
  await olu.page.goto(`${url}${tenderPath.slice(1)}/award`);
  const clubEvidence = olu.page.locator(".govuk-summary-card", { hasText: "Tulse Hill Friendship Club: evidence falls short" });
  assert.match(await clubEvidence.textContent(), /Falls short/);
  assert.match(await clubEvidence.textContent(), /public liability/i);
  await checkBoth(olu, "22-award");
  await olu.page.locator("body").focus();
  await tabTo(olu.page, "input[name=bid]:checked");
  await olu.page.keyboard.press("ArrowDown");
  await tabTo(olu.page, "button.govuk-button:not(.portal-sign-out):not(.govuk-button--secondary)");
  await olu.page.keyboard.press("Enter");
  assert.deepEqual(await errorSummary(olu.page), ["Enter why you are awarding the contract to a bid the panel did not recommend"]);
  await checkBothPosted(olu, "23-award-reason-missing", `${url}${tenderPath.slice(1)}/award`, async (page) => {
    await page.locator("input[name=bid]:not(:checked)").first().check();
    await page.getByRole("button", { name: "Award the contract" }).click();
  });
  await olu.page.goto(`${url}${tenderPath.slice(1)}/award`);
  await olu.page.locator("body").focus();
  await tabTo(olu.page, "button.govuk-button:not(.portal-sign-out):not(.govuk-button--secondary)");
  await olu.page.keyboard.press("Enter");
  const shortfall = await errorSummary(olu.page);
  assert.equal(shortfall.length, 1);
  assert.match(shortfall[0], /^The contract was not awarded: Tulse Hill Friendship Club: public liability/i);
  await checkBothPosted(olu, "24-award-refused", `${url}${tenderPath.slice(1)}/award`, (page) => page.getByRole("button", { name: "Award the contract" }).click());

  // The club renews its certificate with enough cover; the officer checks and verifies it.
  const clubVolunteer = await signInTwice(browser, url, "A volunteer at Tulse Hill Friendship Club (from the demo)");
  await clubVolunteer.page.goto(`${url}locker`);
  await clubVolunteer.page.getByRole("link", { name: /^Renew / }).first().click();
  const fillDate = async (legend, [day, month, year]) => {
    const group = clubVolunteer.page.getByRole("group", { name: legend });
    await group.getByLabel("Day").fill(day);
    await group.getByLabel("Month").fill(month);
    await group.getByLabel("Year").fill(year);
  };
  await clubVolunteer.page.getByLabel("Title").fill("Public liability insurance 2026 to 2028 (renewed)");
  await clubVolunteer.page.getByLabel("The file").setInputFiles({ name: "renewed.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n") });
  await fillDate("When does it start?", ["1", "1", "2026"]);
  await fillDate("When does it end?", ["31", "12", "2028"]);
  await clubVolunteer.page.getByLabel("Insurer").fill("Community Mutual");
  await clubVolunteer.page.getByLabel("Policy number").fill("CM-RENEWED-2026");
  await clubVolunteer.page.getByLabel("Limit of indemnity, in pounds").fill("5,000,000");
  await clubVolunteer.page.getByRole("button", { name: "Upload document" }).click();
  await clubVolunteer.page.getByRole("heading", { name: "Your documents" }).waitFor();
  await refused(clubVolunteer, `${url}${tenderPath.slice(1)}/award`);
  await clubVolunteer.close();

  await olu.page.goto(`${url}${tenderPath.slice(1)}/award`);
  assert.match(await clubEvidence.or(olu.page.locator(".govuk-summary-card", { hasText: "Tulse Hill Friendship Club" })).first().textContent(), /Waiting to be checked/);
  await checkBoth(olu, "25-award-waiting-to-be-checked");
  await olu.page.getByRole("button", { name: "Verify Tulse Hill Friendship Club's public liability insurance certificate" }).click();
  await olu.page.locator(".govuk-summary-card", { hasText: "Tulse Hill Friendship Club: evidence complete" }).waitFor();
  await checkBoth(olu, "26-award-evidence-complete");
  // Timed here, before the award, so that the award page checks every ranked bid's evidence.
  if (process.env.PORTAL_TIMINGS) {
    const repeats = Number(process.env.PORTAL_TIMINGS);
    const base = tenderPath.slice(1);
    await eve.page.goto(`${url}${base}/scoring`);
    const bidPath = (await eve.page.locator(".govuk-task-list__link").first().getAttribute("href")).slice(1);
    const officerPages = ["opening-record", "panel", "ranking", "award", "unsuccessful"].map((page) => `${base}/${page}`);
    await timings(olu.js.context, url, ["dashboard", ...officerPages], repeats);
    await timings(eve.js.context, url, ["dashboard", `${base}/scoring`, bidPath], repeats);
    await timings(mo.js.context, url, [`${base}/moderation`, bidPath.replace("/scoring/", "/moderation/")], repeats);
  }


  await olu.page.locator("body").focus();
  await tabTo(olu.page, "button.govuk-button:not(.portal-sign-out):not(.govuk-button--secondary)");
  await olu.page.keyboard.press("Enter");
  await olu.page.getByRole("heading", { name: "Contract awarded" }).waitFor();
  assert.match(await olu.page.locator(".govuk-panel").textContent(), /To Tulse Hill Friendship Club for £21,000/);
  await checkBoth(olu, "27-awarded");

  for (const person of [olu, wendy, bidder, mo, eve, rosa]) await person.close();
  assert.deepEqual(problems, [], "no console errors");
  assert.deepEqual(violations, [], `axe found violations:\n${violations.join("\n")}`);
  console.log(`panel journey: passed, with and without JavaScript; screenshots in ${screenshots}`);
} finally {
  await browser?.close();
  child.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
