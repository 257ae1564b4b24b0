// A procurement officer's tender in a real browser, against `marketplace serve` on a fresh embedded
// default where `marketplace demo --stop-after-publishing` registered the demo's charities: Lambeth's
// officer creates a tender from a template, task by task (a refused choice on the way: weights not
// adding up to 100, in the error summary on its field), checks the answers, publishes it and reads
// its publication duties; a demo charity's volunteer asks a question, the officer answers it and
// reads it as bidders do; the officer amends the tender with a reason, the material amendment
// moving the deadline and saying so. Woking's officer is refused Lambeth's tender pages and does
// not see them on her dashboard. Run with govuk-frontend's script and with it blocked; every page
// is checked with axe-core and screenshotted into target/portal-screenshots.
//
// Usage: node officer.mjs [path to the marketplace binary]
// With PORTAL_TIMINGS=<n>, it fetches each of the officer's pages n times as Lambeth's officer (the
// draft's before publishing, the published tender's after amending) and prints how long each took
// to serve (p50, p99): the figures in BENCHMARKS.md.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { binary, check, errorSummary, screenshots, signInAs, startMarketplace, timings, violations } from "./support.mjs";

const officerLabel = "Olu Adeyemi, procurement officer at Lambeth (from the demo)";
const wokingLabel = "Wendy Hart, procurement officer at Woking (from the demo)";
const volunteerLabel = "A volunteer at Tulse Hill Friendship Club (from the demo)";

/** A UK date `days` from now as the three boxes take it. */
function daysAhead(days) {
  const date = new Date(Date.now() + days * 24 * 3600 * 1000);
  const [day, month, year] = date.toLocaleDateString("en-GB", { timeZone: "Europe/London" }).split("/");
  return { day: String(Number(day)), month: String(Number(month)), year };
}

async function fillDate(page, prefix, { day, month, year }) {
  await page.locator(`#${prefix}-day`).fill(day);
  await page.locator(`#${prefix}-month`).fill(month);
  await page.locator(`#${prefix}-year`).fill(year);
}

/** Opens the draft's task `name` from its task list and checks the page. */
async function openTask(page, name, shot) {
  await page.getByRole("link", { name, exact: true }).click();
  await page.locator("h1").waitFor();
  await check(page, shot);
}

async function saveTask(page, name) {
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByRole("heading", { name: "Your draft tender" }).waitFor();
  const status = page.locator(".govuk-task-list__item", { hasText: name }).locator(".govuk-task-list__status");
  assert.notEqual((await status.textContent()).trim(), "Incomplete", `${name} is done`);
}

async function officerJourney(browser, url, withScript) {
  const mode = withScript ? "js" : "no-js";
  const title = `Community connectors for Brixton and Stockwell (${mode})`;
  const { context, page } = await signInAs(browser, url, officerLabel, { withScript });
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
  });

  await page.getByRole("heading", { name: "Your council's tenders" }).waitFor();
  await check(page, `${mode}-officer-01-dashboard`);
  await page.getByRole("button", { name: "Create a tender" }).click();
  await page.getByRole("button", { name: "Create draft" }).click();
  assert.deepEqual(await errorSummary(page), ["Select the template to start from"]);
  await check(page, `${mode}-officer-02-template-errors`);
  assert.match(await page.locator("#main-content").textContent(), /bidders get at least 7 days from publishing/);
  await page.getByLabel("Community connectors (social prescribing)").check();
  await page.getByRole("button", { name: "Create draft" }).click();
  await page.getByRole("heading", { name: "Your draft tender" }).waitFor();
  await check(page, `${mode}-officer-03-draft`);
  const tenderPath = new URL(page.url()).pathname.replace(/\/draft$/, "");

  await openTask(page, "What you want", `${mode}-officer-04-what`);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Summary").fill("Volunteer-led connectors who help people over 65 living alone find company and support nearby.");
  await page.getByLabel("Community connector or social prescribing link work").check();
  await page.getByLabel("What we want", { exact: true }).fill("Connectors who meet about 120 people a year, up to six times each, and go with them to a first activity.");
  await page.getByLabel("Who it is for", { exact: true }).fill("People over 65 who live alone and feel lonely, referred by GP practices, adult social care or themselves.");
  await page.getByLabel("Where", { exact: true }).fill("Brixton (SW2) and Stockwell (SW9).");
  await page.getByLabel("Outcomes we are looking for", { exact: true }).fill("People still going to at least one activity after six months; ONS4 wellbeing at the start and the end.");
  await saveTask(page, "What you want");

  await openTask(page, "Who it is for", `${mode}-officer-05-who`);
  await page.getByLabel("People who meet the conditions below").check();
  await page.getByLabel("Youngest age served (optional)").fill("65");
  await page.getByLabel("Other conditions (optional)").fill("Living alone and lonely, referred by a GP, adult social care or themselves.");
  await saveTask(page, "Who it is for");

  await openTask(page, "Where", `${mode}-officer-06-where`);
  await page.getByLabel("Some postcode districts").check();
  await page.getByLabel("Postcode districts", { exact: true }).fill("sw2, SW9");
  await saveTask(page, "Where");

  await openTask(page, "Value and contract dates", `${mode}-officer-07-value`);
  assert.match(await page.locator("#main-content").textContent(), /£30,000 or more: a notice on the Central Digital Platform/);
  const year = Number(daysAhead(0).year);
  await page.getByLabel("Estimated value, in pounds").fill("24000");
  await fillDate(page, "start", { day: "1", month: "4", year: String(year + 1) });
  await fillDate(page, "end", { day: "31", month: "3", year: String(year + 2) });
  await saveTask(page, "Value and contract dates");

  await openTask(page, "Funders and their shares", `${mode}-officer-08-funders`);
  await page.getByLabel("Lambeth's share, in percent").fill("60");
  await page.getByLabel("Its name").first().fill("NHS South East London Integrated Care Board");
  await page.getByLabel("Its share, in percent").first().fill("40");
  await saveTask(page, "Funders and their shares");

  await openTask(page, "Bid questions and word limits", `${mode}-officer-09-questions`);
  assert.match(await page.locator("#main-content").textContent(), /at most 5 questions, and their word limits add up to 2500 words or fewer/);
  await saveTask(page, "Bid questions and word limits");

  // A refused choice: the service's rule that weights add up to 100, on the weight's field.
  await openTask(page, "Criteria and weights", `${mode}-officer-10-criteria`);
  await page.getByLabel("Criterion 1's weight").fill("20");
  await page.getByRole("button", { name: "Save and continue" }).click();
  assert.deepEqual(await errorSummary(page), ["Weights add up to 90; they must add up to 100"]);
  assert.equal(await page.getByLabel("Criterion 1's weight").inputValue(), "20", "what was typed is kept");
  await check(page, `${mode}-officer-11-criteria-errors`);
  await page.getByLabel("Criterion 1's weight").fill("30");
  await saveTask(page, "Criteria and weights");

  await openTask(page, "Evidence the winner shows", `${mode}-officer-12-evidence`);
  await saveTask(page, "Evidence the winner shows");

  await openTask(page, "Questions and bid deadline", `${mode}-officer-13-dates`);
  assert.match(await page.locator("#main-content").textContent(), /Bidders get at least 7 days from publishing to the bid deadline/);
  await fillDate(page, "enquiries", daysAhead(4));
  await page.getByLabel("Time questions close (UK time)").fill("12:00");
  await fillDate(page, "deadline", daysAhead(10));
  await page.getByLabel("Time bids close (UK time)").fill("17:00");
  await saveTask(page, "Questions and bid deadline");

  await page.getByRole("button", { name: "Check your answers" }).click();
  await page.getByRole("heading", { name: "Check your answers before publishing" }).waitFor();
  assert.match(await page.locator("#main-content").textContent(), /Lambeth: 60%, NHS South East London Integrated Care Board: 40%/);
  await check(page, `${mode}-officer-14-check`);
  if (withScript && process.env.PORTAL_TIMINGS) {
    const draft = tenderPath.slice(1);
    const tasks = ["what", "who", "where", "value", "funders", "questions", "criteria", "evidence", "dates"].map((task) => `${draft}/draft/${task}`);
    await timings(context, url, [`${draft}/draft`, ...tasks, `${draft}/check`], Number(process.env.PORTAL_TIMINGS));
  }
  await page.getByRole("button", { name: "Publish tender" }).click();
  await page.getByText("Tender published.").waitFor();
  const duty = (name) => page.locator(".govuk-summary-list__row", { hasText: name }).locator("dd");
  assert.equal((await duty("Publish the spend").textContent()).trim(), "Required", "£24,000 is above the transparency threshold");
  assert.equal((await duty("A notice on the Central Digital Platform").textContent()).trim(), "Not required", "below the notice threshold");
  assert.equal((await duty("Value these were decided from").textContent()).trim(), "£24,000");
  await check(page, `${mode}-officer-15-published`);

  // A demo charity's volunteer asks; the officer answers; the charity reads the answer.
  const volunteer = await signInAs(browser, url, volunteerLabel, { withScript });
  const tenderId = tenderPath.split("/").pop();
  await volunteer.page.goto(`${url}tenders/${tenderId}`);
  await volunteer.page.getByLabel("Ask the council a question").fill("Can volunteers' travel costs be part of the price? We are in Tulse Hill.");
  await volunteer.page.getByRole("button", { name: "Send question" }).click();
  await volunteer.page.getByText("Question sent.").waitFor();

  await page.goto(`${url}dashboard`);
  await page.locator(".govuk-task-list__item", { hasText: title }).first().waitFor();
  assert.equal(await page.locator("#waiting-questions-1-status").count() >= 1, true, "questions waiting on the dashboard");
  await check(page, `${mode}-officer-16-dashboard-questions`);
  await page.goto(`${url}${tenderPath.slice(1)}/questions`);
  await check(page, `${mode}-officer-17-questions`);
  await page.getByRole("button", { name: "Publish answer" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter your answer"]);
  await check(page, `${mode}-officer-18-answer-errors`);
  await page.getByLabel("The question, as it will be published").fill("Can volunteers' travel costs be part of the price?");
  await page.getByLabel("Your answer").fill("Yes: include them in your price and say how you worked them out.");
  await page.getByRole("button", { name: "Publish answer" }).click();
  await page.getByText("Answer published.").waitFor();
  const published = await page.locator("#main-content").textContent();
  assert.match(published, /Published answers, as bidders see them\s*Can volunteers' travel costs be part of the price\?\s*Yes: include them/);
  assert.doesNotMatch(published, /Tulse Hill/, "the asker's words that named it are not published");
  await check(page, `${mode}-officer-19-answered`);
  await volunteer.page.reload();
  assert.match(await volunteer.page.locator("#questions ~ *").allTextContents().then((texts) => texts.join(" ")), /Yes: include them in your price/);
  await volunteer.context.close();

  // An amendment with a reason: material, so the deadline moves to at least 7 days from now.
  await page.goto(`${url}${tenderPath.slice(1)}`);
  await page.getByRole("button", { name: "Amend the tender" }).click();
  await check(page, `${mode}-officer-20-amend`);
  await page.getByRole("button", { name: "Amend tender" }).click();
  const amendProblems = await errorSummary(page);
  assert.ok(amendProblems.includes("Enter why you are amending the tender: bidders read it"), amendProblems.join(" | "));
  await check(page, `${mode}-officer-21-amend-errors`);
  await page.getByLabel("Summary").fill("Volunteer-led connectors who help people over 65 living alone in Brixton and Stockwell find company and support nearby.");
  await fillDate(page, "deadline", daysAhead(5));
  await page.getByLabel("Why are you amending it?").fill("The summary now names the areas; bidders asked for more time.");
  await page.getByLabel("Treat this as a material amendment").check();
  await page.getByRole("button", { name: "Amend tender" }).click();
  await page.getByText("Tender amended.").waitFor();
  assert.match(await page.locator(".govuk-notification-banner").textContent(), /Material: bids now close at .+ \(it was .+\), so that bidders have the minimum bid period/);
  assert.match(await page.locator("#amendments ~ *").allTextContents().then((texts) => texts.join(" ")), /The summary now names the areas/);
  await check(page, `${mode}-officer-22-amended`);
  assert.deepEqual(problems, [], "no console errors");
  if (withScript && process.env.PORTAL_TIMINGS) {
    const tender = tenderPath.slice(1);
    const pages = ["dashboard", "officer/tenders/new", tender, `${tender}/questions`, `${tender}/amend`, `${tender}/cancel`];
    await timings(context, url, pages, Number(process.env.PORTAL_TIMINGS));
  }
  await context.close();
  return { tenderPath, title };
}

/** Woking's officer: Lambeth's tender pages are refused, and its tenders are not on her dashboard. */
async function anotherCouncil(browser, url, lambeth) {
  const { context, page } = await signInAs(browser, url, wokingLabel);
  await page.getByRole("heading", { name: "Your council's tenders" }).waitFor();
  assert.equal(await page.getByText(lambeth.title).count(), 0, "Lambeth's tender is not on Woking's dashboard");
  for (const path of ["", "/questions", "/amend", "/cancel", "/draft", "/check"]) {
    const response = await page.goto(`${url}${lambeth.tenderPath.slice(1)}${path}`);
    assert.ok([403, 404].includes(response.status()) || !page.url().includes(lambeth.tenderPath), `${path || "the tender"} is refused to Woking`);
    assert.doesNotMatch(await page.locator("#main-content").textContent(), /Questions from bidders|Amend the tender|What your council must publish/);
  }
  await page.goto(`${url}${lambeth.tenderPath.slice(1)}`);
  assert.equal(await page.locator("h1").textContent(), "You cannot see this page");
  await check(page, "officer-23-another-council");
  await context.close();
}

const { url, grpc, child, data } = await startMarketplace();
// The demo's charities, to ask a question as; its own tenders are left open.
const posted = spawnSync(binary, ["--data-dir", data, "demo", "--address", grpc, "--bid-period-secs", String(7 * 24 * 3600), "--stop-after-publishing"], { encoding: "utf8" });
assert.equal(posted.status, 0, `the demo did not post its tenders:\n${posted.stdout}\n${posted.stderr}`);
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const lambeth = await officerJourney(browser, url, true);
  await officerJourney(browser, url, false);
  await anotherCouncil(browser, url, lambeth);
  assert.deepEqual(violations, [], `axe found violations:\n${violations.join("\n")}`);
  console.log(`officer journey: passed, with and without JavaScript; screenshots in ${screenshots}`);
} finally {
  await browser?.close();
  child.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
