// A small charity's journey through the portal in a real browser, against `marketplace serve` on a
// fresh embedded default: sign in, register the organisation (with the GOV.UK error summary for a
// form sent empty or wrong), see it on the dashboard, add services (one changed, later removed),
// upload its public liability certificate to the locker (a refused file first), read its
// notification of a tender that fits, find the open tenders (posted beforehand by `marketplace
// demo --stop-after-publishing`), those that fit its services first, and read one with what its
// locker already holds, write a bid question by question (an answer over its word limit refused)
// with a consortium partner, check it, declare and send it and read its receipt, ask a question on
// the other tender, sign out. Run twice: with JavaScript, and with govuk-frontend's script blocked
// (the journey must work without it). Then the partner the second bid names confirms it, then declines, as the
// demo's charity, and the lead sees that on its receipt; and on a second marketplace where the
// whole demo ran to its award, the bidder that lost and the winner each read their outcome. Every
// page is checked with axe-core (WCAG 2.x A and AA, and best practice, as govuk-frontend's own
// tests run it), and screenshotted into target/portal-screenshots for CI to keep.
//
// Usage: node journey.mjs [path to the marketplace binary]
// With PORTAL_TIMINGS=<n>, it then fetches each of the charity's pages n times as the signed-in
// volunteer and prints how long each took to serve (p50, p99): the figures in BENCHMARKS.md.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { binary, check, errorSummary, screenshots, signInAs, startMarketplace, timings, violations } from "./support.mjs";

async function journey(browser, url, withScript) {
  const mode = withScript ? "js" : "no-js";
  const context = await browser.newContext();
  if (!withScript) {
    await context.route("**/assets/govuk-frontend.min.js", (route) => route.abort());
    await context.route("**/assets/portal.js", (route) => route.abort());
  }
  const page = await context.newPage();
  const problems = [];
  // Errors other than the pages' own status codes (422 for a form with errors, 404 for a missing
  // page) and the scripts blocked on purpose: a Content-Security-Policy refusal, a script failing.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
  });

  await page.goto(url);
  await check(page, `${mode}-01-start`);
  assert.equal(await page.locator("h1").textContent(), "Commissioning marketplace");
  assert.equal(await page.locator(".govuk-generic-header").count(), 1, "the Generic header, not GOV.UK's");
  await page.getByRole("button", { name: "Sign in" }).click();

  // Sent empty: every field's problem, in plain English, linked from the summary.
  await page.getByRole("button", { name: "Continue" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter your name", "Enter your email address", "Select who you are"]);
  await check(page, `${mode}-02-sign-in-errors`);
  const email = `amira.${mode}.${Date.now()}@example.org`;
  await page.getByLabel("Your name").fill("Amira Haddad");
  await page.getByLabel("Your email address").fill(email);
  await page.getByLabel("A volunteer or worker at a charity or community group").check();
  await page.getByRole("button", { name: "Continue" }).click();

  await page.getByRole("heading", { name: "Get ready to bid" }).waitFor();
  await check(page, `${mode}-03-dashboard-new`);
  await page.getByRole("link", { name: "Register your organisation" }).click();
  await check(page, `${mode}-04-organisation`);

  // The services' refusals, on their fields; what was typed is kept.
  await page.getByLabel("Legal name").fill("Brixton Good Neighbours");
  await page.getByLabel("Postcode").fill("not a postcode");
  await page.getByRole("button", { name: "Register organisation" }).click();
  const refused = await errorSummary(page);
  assert.ok(refused.includes("Enter the number of paid staff, or 0"), refused.join(" | "));
  await page.getByLabel("How many paid staff do you have?").fill("0");
  await page.getByLabel("How many active volunteers do you have?").fill("12");
  await page.getByRole("button", { name: "Register organisation" }).click();
  const serviceRefused = await errorSummary(page);
  assert.ok(serviceRefused.includes("Select what kind of organisation it is"), serviceRefused.join(" | "));
  assert.ok(serviceRefused.includes("Enter the first line of the address"), serviceRefused.join(" | "));
  assert.ok(serviceRefused.some((message) => /postcode/i.test(message)), serviceRefused.join(" | "));
  assert.equal(await page.getByLabel("Legal name").inputValue(), "Brixton Good Neighbours", "kept");
  await check(page, `${mode}-05-organisation-errors`);

  await page.getByLabel("Registered charity").check();
  await page.getByLabel("Charity number (optional)").fill("1164321");
  if (!withScript) {
    // The first run registered 1164321: the service's refusal is shown on the field.
    await page.getByLabel("Address line 1").fill("12 Acre Lane");
    await page.getByLabel("Town or city").fill("London");
    await page.getByLabel("Postcode").fill("sw2 5su");
    await page.getByLabel("Contact email address").fill("hello@brixtonneighbours.org.uk");
    await page.getByRole("button", { name: "Register organisation" }).click();
    const taken = await errorSummary(page);
    assert.deepEqual(taken, ["An organisation with this number is already registered on the marketplace. If it is yours, ask the person who registered it to add you"]);
    await page.getByLabel("Charity number (optional)").fill("1164322");
  }
  await page.getByLabel("Address line 1").fill("12 Acre Lane");
  await page.getByLabel("Town or city").fill("London");
  await page.getByLabel("Postcode").fill("sw2 5su");
  await page.getByLabel("Contact email address").fill("hello@brixtonneighbours.org.uk");
  await page.getByRole("button", { name: "Register organisation" }).click();

  await page.getByRole("heading", { name: "Organisation registered" }).waitFor();
  assert.equal(await page.locator("h1").textContent(), "Brixton Good Neighbours");
  const address = page.locator(".govuk-summary-list__row", { hasText: "Address" }).locator("dd");
  assert.equal((await address.textContent()).trim(), "12 Acre Lane, London, SW2 5SU", "the service's normalised postcode");
  await check(page, `${mode}-06-dashboard-registered`);

  // What it offers: a service, refused until it says what, where and how.
  await page.getByRole("link", { name: "Services you offer" }).click();
  await page.getByRole("heading", { name: "Add a service" }).waitFor();
  await check(page, `${mode}-07-service`);
  await page.getByRole("button", { name: "Add service" }).click();
  const serviceProblems = await errorSummary(page);
  for (const expected of ["Select what kind of service it is", "Select the councils whose areas it covers", "Select how the service reaches people"]) {
    assert.ok(serviceProblems.includes(expected), `${expected} in ${serviceProblems.join(" | ")}`);
  }
  await check(page, `${mode}-08-service-errors`);
  await page.getByLabel("Name of the service").fill("Tuesday Coffee Morning");
  await page.getByLabel("What happens, who it helps and how to join").fill("A weekly coffee morning at St Saviour's Church Hall for older people living alone. Just come along.");
  await page.getByLabel("Group activities, such as coffee mornings or lunch clubs").check();
  await page.getByLabel("Lambeth").check();
  await page.getByLabel("Postcode districts it covers (optional)").fill("SW2, SW9");
  await page.getByLabel("In person, at a venue or at home").check();
  await page.getByLabel("Tuesday").check();
  await page.getByLabel("Starts at (if it runs on a day)").fill("10:00");
  await page.getByLabel("Ends at (if it runs on a day)").fill("12:00");
  await page.getByLabel("Youngest age served (optional)").fill("65");
  await page.getByRole("button", { name: "Add service" }).click();
  await page.getByText("Service added.").waitFor();
  const areas = page.locator(".govuk-summary-list__row", { hasText: "Areas" }).locator("dd");
  assert.equal((await areas.textContent()).trim(), "Lambeth (SW2), Lambeth (SW9)");
  const when = page.locator(".govuk-summary-list__row", { hasText: "When" }).locator("dd");
  assert.equal((await when.textContent()).trim(), "Tuesday 10:00 to 12:00");
  await check(page, `${mode}-09-dashboard-service`);

  // A second service, then changed: a wrong time is refused on its field, then its day moves.
  await page.getByRole("link", { name: "Add another service" }).click();
  await page.getByLabel("Name of the service").fill("Brixton Connectors");
  await page.getByLabel("What happens, who it helps and how to join").fill("Volunteers who visit older people at home and link them with groups, clubs and help nearby.");
  await page.getByLabel("Community connector or social prescribing link work").check();
  await page.getByLabel("Lambeth").check();
  await page.getByLabel("Postcode districts it covers (optional)").fill("SW2");
  await page.getByLabel("In person, at a venue or at home").check();
  await page.getByRole("button", { name: "Add service" }).click();
  await page.getByText("Service added.").waitFor();
  await page.getByRole("link", { name: "Change (Brixton Connectors)" }).click();
  await page.getByRole("heading", { name: "Change a service" }).waitFor();
  assert.equal(await page.getByLabel("Name of the service").inputValue(), "Brixton Connectors", "the form holds the service");
  assert.equal(await page.getByLabel("Postcode districts it covers (optional)").inputValue(), "SW2");
  await page.getByLabel("Wednesday").check();
  await page.getByLabel("Starts at (if it runs on a day)").fill("25:00");
  await page.getByLabel("Ends at (if it runs on a day)").fill("16:00");
  await page.getByRole("button", { name: "Save changes" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter when it starts as a 24-hour time, like 10:00 or 14:30"]);
  assert.equal(await page.getByLabel("Ends at (if it runs on a day)").inputValue(), "16:00", "kept");
  await check(page, `${mode}-09b-service-change-errors`);
  await page.getByLabel("Starts at (if it runs on a day)").fill("14:00");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Service changed.").waitFor();
  const connectors = page.locator(".govuk-summary-card", { hasText: "Brixton Connectors" });
  assert.equal((await connectors.locator(".govuk-summary-list__row", { hasText: "When" }).locator("dd").textContent()).trim(), "Wednesday 14:00 to 16:00");
  await check(page, `${mode}-09c-dashboard-services`);

  // The locker: a web page passed off as a PDF is refused on the file field; the certificate is taken.
  await page.getByRole("link", { name: "Documents in your locker" }).click();
  await page.getByRole("heading", { name: "Your documents" }).waitFor();
  await check(page, `${mode}-10-locker-empty`);
  await page.getByRole("button", { name: "Upload a document" }).click();
  await page.getByRole("heading", { name: "Upload a document" }).waitFor();
  await check(page, `${mode}-11-upload`);
  await page.getByRole("button", { name: "Upload document" }).click();
  const uploadProblems = await errorSummary(page);
  assert.ok(uploadProblems.includes("Select what kind of document it is"), uploadProblems.join(" | "));
  assert.ok(uploadProblems.includes("Choose the file to upload"), uploadProblems.join(" | "));
  await check(page, `${mode}-12-upload-errors`);
  const today = new Date();
  const started = new Date(today.getTime() - 30 * 86_400_000);
  const ends = new Date(today.getTime() + 335 * 86_400_000);
  const fillDate = async (legend, date) => {
    const group = page.getByRole("group", { name: legend });
    await group.getByLabel("Day").fill(String(date.getDate()));
    await group.getByLabel("Month").fill(String(date.getMonth() + 1));
    await group.getByLabel("Year").fill(String(date.getFullYear()));
  };
  const certificate = async (file) => {
    await page.getByLabel("Public liability insurance certificate").check();
    await page.getByLabel("Title").fill("Public liability insurance 2026 to 2027");
    await page.getByLabel("The file").setInputFiles(file);
    await fillDate("When does it start?", started);
    await fillDate("When does it end?", ends);
    await page.getByLabel("Insurer").fill("Ecclesiastical Insurance");
    await page.getByLabel("Policy number").fill("PL-0042-2026");
    await page.getByLabel("Limit of indemnity, in pounds").fill("5,000,000");
    await page.getByRole("button", { name: "Upload document" }).click();
  };
  await certificate({ name: "certificate.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html><!-- %PDF-1.7 --><script>alert(1)</script></html>") });
  const fileProblems = await errorSummary(page);
  assert.match(fileProblems[0], /web page/, fileProblems.join(" | "));
  assert.equal(await page.getByLabel("Insurer").inputValue(), "Ecclesiastical Insurance", "kept");
  await check(page, `${mode}-13-upload-refused`);
  await certificate({ name: "certificate.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n") });
  await page.getByText("Document uploaded.").waitFor();
  const state = page.locator(".govuk-summary-list__row", { hasText: "State" }).locator(".govuk-tag");
  assert.equal((await state.textContent()).trim(), "Submitted");
  await check(page, `${mode}-14-locker`);
  await page.getByRole("link", { name: "Renew Public liability insurance 2026 to 2027" }).click();
  await page.getByRole("heading", { name: "Renew Public liability insurance 2026 to 2027" }).waitFor();
  await check(page, `${mode}-15-renew`);
  await page.goto(`${url}dashboard`);
  const documentsStatus = page.locator(".govuk-task-list__item", { hasText: "Documents in your locker" }).locator(".govuk-task-list__status");
  assert.equal((await documentsStatus.textContent()).trim(), "1 document uploaded");

  // The task list ends in checking the profile as councils see it, and changing what is wrong.
  await page.getByRole("link", { name: "Check your profile" }).click();
  await page.getByRole("heading", { name: "Check your profile" }).waitFor();
  await check(page, `${mode}-15b-profile`);
  await page.getByRole("link", { name: "Change your organisation's details" }).first().click();
  await page.getByRole("heading", { name: "About your organisation" }).waitFor();
  assert.equal(await page.getByLabel("Town or city").inputValue(), "London", "the form holds the profile");
  await page.getByLabel("Contact email address").fill("not an email");
  await page.getByRole("button", { name: "Save changes" }).click();
  const changeProblems = await errorSummary(page);
  assert.ok(changeProblems.some((message) => /email/i.test(message)), changeProblems.join(" | "));
  await check(page, `${mode}-15c-profile-change-errors`);
  await page.getByLabel("Contact email address").fill("team@brixtonneighbours.org.uk");
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Your organisation's details are saved.").waitFor();
  const contact = page.locator(".govuk-summary-list__row", { hasText: "Contact email" }).locator("dd").first();
  assert.equal((await contact.textContent()).trim(), "team@brixtonneighbours.org.uk");
  await page.goto(`${url}dashboard`);

  // The tender that fits the connectors service came as a notification, counted until it is read.
  for (let tries = 0; (await page.getByText(/unread notification/).count()) === 0 && tries < 50; tries++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await page.getByRole("link", { name: "Read your notifications" }).click();
  const fits = page.getByRole("link", { name: "A tender that fits: Community connectors for isolated older people, Brixton and Stockwell" });
  await fits.first().waitFor();
  await check(page, `${mode}-16b-notifications`);
  await fits.first().click();
  await page.waitForURL(/\/tenders\/[0-9a-f-]+$/);
  await page.goto(`${url}dashboard`);
  assert.equal(await page.getByText(/unread notification/).count(), 0, "read once seen");

  // Open tenders: all of them, then one council's; each with what it asks for beside the locker.
  await page.getByRole("link", { name: "Find a tender" }).click();
  await page.getByRole("heading", { name: "Find a tender" }).waitFor();
  await check(page, `${mode}-17-tenders`);
  const lambethTender = "Community connectors for isolated older people, Brixton and Stockwell";
  const wokingTender = "Befriending and coffee mornings at Hale End Court sheltered housing";
  // Lambeth's tender fits the connectors service: it is among the tenders for this charity, with why.
  const forYou = page.locator("#for-you");
  const allTenders = page.locator("#all-tenders");
  assert.equal(await forYou.getByRole("link", { name: lambethTender }).count(), 1, "Lambeth's tender is for this charity");
  assert.equal(await forYou.getByRole("link", { name: wokingTender }).count(), 0, "Woking's is not: no service there");
  assert.match(await forYou.textContent(), /"Brixton Connectors"/);
  assert.equal(await allTenders.getByRole("link", { name: lambethTender }).count(), 1);
  assert.equal(await allTenders.getByRole("link", { name: wokingTender }).count(), 1);
  await page.getByRole("group", { name: "Council area" }).getByLabel("Woking").check();
  await page.getByRole("button", { name: "Search" }).click();
  await allTenders.getByRole("link", { name: wokingTender }).waitFor();
  assert.equal(await allTenders.getByRole("link", { name: lambethTender }).count(), 0, "only Woking's");
  await page.getByRole("group", { name: "Council area" }).getByLabel("Anywhere").check();
  await page.getByLabel("Worth at most, in pounds").fill("lots");
  await page.getByRole("button", { name: "Search" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter the most the contract may be worth in whole pounds, like 20000"]);
  await page.getByLabel("Worth at most, in pounds").fill("");
  await page.getByRole("button", { name: "Search" }).click();
  await allTenders.getByRole("link", { name: lambethTender }).click();
  await page.getByRole("heading", { name: lambethTender }).waitFor();
  const lambethPath = new URL(page.url()).pathname;
  const liability = page.locator(".govuk-summary-list__row", { hasText: "Public liability insurance certificate" });
  assert.equal((await liability.locator(".govuk-tag").textContent()).trim(), "In your locker, not yet verified");
  assert.doesNotMatch(await liability.textContent(), /<p/, "the explanation is text under the tag, not markup shown");
  assert.ok((await page.locator(".govuk-list--number li").count()) > 0, "the questions it asks");
  assert.match(await page.locator(".govuk-list--number").textContent(), /up to \d+ words/);
  await check(page, `${mode}-18-tender`);

  // Lambeth's tender takes bids: answers written question by question into the sealed draft,
  // the word limit checked here with or without the script, then checked, declared and sent.
  await page.getByRole("button", { name: "Write your bid" }).click();
  await page.getByRole("heading", { name: "Your bid" }).waitFor();
  await check(page, `${mode}-19-bid`);
  const questionLinks = page.locator(".govuk-task-list__link");
  const questionCount = (await questionLinks.count()) - 2;
  assert.ok(questionCount >= 1, "a task per question, one for the price and one for partners");
  await questionLinks.first().click();
  await page.locator("textarea#answer").waitFor();
  await check(page, `${mode}-20-answer`);
  const limit = Number((await page.locator("#answer-info").textContent()).match(/(\d+) words/)[1]);
  await page.locator("textarea#answer").fill("word ".repeat(limit + 5));
  await page.getByRole("button", { name: "Save and continue" }).click();
  assert.deepEqual(await errorSummary(page), [`Your answer must be ${limit} words or fewer; it has ${limit + 5}`]);
  await check(page, `${mode}-21-answer-too-long`);
  await page.getByRole("link", { name: "Back to your bid" }).click();
  for (let index = 0; index < questionCount; index++) {
    await page.locator(".govuk-task-list__link").nth(index).click();
    await page.locator("textarea#answer").fill(`Our volunteers meet each person at home first and agree what matters to them, answer ${index + 1}.`);
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByRole("heading", { name: "Your bid" }).waitFor();
  }
  await page.getByRole("link", { name: "Your price" }).click();
  await page.getByLabel("Your price for the whole contract, in pounds").fill("22,500");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await page.getByRole("heading", { name: "Your bid" }).waitFor();
  const priceStatus = page.locator(".govuk-task-list__item", { hasText: "Your price" }).locator(".govuk-task-list__status");
  assert.equal((await priceStatus.textContent()).trim(), "£22,500");
  // A consortium: the partner found among the registered charities, and what it will do.
  await page.getByRole("link", { name: "Partners, if you bid as a consortium" }).click();
  await page.getByRole("heading", { name: "Partners in your bid" }).waitFor();
  await page.getByLabel("Search for the organisation by name").fill("Nowhere Trust");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByText("No registered organisation is called").waitFor();
  await page.getByLabel("Search for the organisation by name").fill("Stockwell");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByLabel("Stockwell Community Connect").check();
  await page.getByRole("button", { name: "Add partner" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter what the partner will do, like runs the coffee mornings in Stockwell"]);
  await check(page, `${mode}-21b-partner-errors`);
  await page.getByLabel("What will they do in the consortium?").fill("Runs the connectors' drop-in in Stockwell");
  await page.getByRole("button", { name: "Add partner" }).click();
  await page.locator(".govuk-summary-card", { hasText: "Stockwell Community Connect" }).getByText("Runs the connectors' drop-in in Stockwell").waitFor();
  await check(page, `${mode}-21c-partners`);
  await page.getByRole("link", { name: "Back to your bid" }).click();
  const partnerStatus = page.locator(".govuk-task-list__item", { hasText: "Partners" }).locator(".govuk-task-list__status");
  assert.equal((await partnerStatus.textContent()).trim(), "1 partner");
  await page.getByRole("button", { name: "Check your answers" }).click();
  await page.getByRole("heading", { name: "Check your answers before sending your bid" }).waitFor();
  await check(page, `${mode}-22-check`);
  const partnerRow = page.locator(".govuk-summary-list__row", { hasText: "Partners" }).locator("dd").first();
  assert.equal((await partnerRow.textContent()).trim(), "Stockwell Community Connect: Runs the connectors' drop-in in Stockwell");
  await page.getByRole("button", { name: "Send bid" }).click();
  assert.deepEqual(await errorSummary(page), ["Confirm the declaration to send your bid"]);
  await page.getByLabel(/I declare that the documents in our locker are true/).check();
  await page.getByRole("button", { name: "Send bid" }).click();
  await page.getByRole("heading", { name: "Bid sent" }).waitFor();
  const hash = (await page.locator(".portal-hash").textContent()).trim();
  assert.match(hash, /^[0-9a-f]{64}$/, "the receipt's SHA-256");
  assert.doesNotMatch(await page.locator(".govuk-panel").textContent(), /<strong>/, "the receipt number is bold, not markup shown");
  await check(page, `${mode}-23-receipt`);
  // Changed before the deadline, the sent answers are where the change starts; then withdrawn
  // (the second run's bid stays sent, for its partner to confirm).
  await page.getByRole("link", { name: "Change your bid" }).click();
  const kept = page.locator(".govuk-task-list__item", { hasText: "Your price" }).locator(".govuk-task-list__status");
  assert.equal((await kept.textContent()).trim(), "£22,500", "the sent bid's price is kept");
  await page.goBack();
  if (withScript) {
    await page.getByRole("button", { name: "Withdraw your bid" }).click();
    await page.getByRole("heading", { name: "Bid withdrawn" }).waitFor();
    await check(page, `${mode}-23b-withdrawn`);
  }

  // Woking's tender still takes questions: refused empty, then sent and waiting for its answer.
  await page.goto(`${url}tenders`);
  await page.locator("#all-tenders").getByRole("link", { name: wokingTender }).click();
  await page.getByRole("button", { name: "Send question" }).click();
  assert.deepEqual(await errorSummary(page), ["Enter your question"]);
  await check(page, `${mode}-24-question-errors`);
  await page.getByLabel("Ask the council a question").fill("Can volunteers' travel costs be part of the price?");
  await page.getByRole("button", { name: "Send question" }).click();
  await page.getByText("Question sent.").waitFor();
  assert.match(await page.locator("#main-content").textContent(), /Your questions waiting for an answer\s*Can volunteers' travel costs be part of the price\?/);
  await check(page, `${mode}-25-question-sent`);

  // A service removed, after a page that says what that means.
  await page.goto(`${url}dashboard`);
  await page.getByRole("link", { name: "Remove (Brixton Connectors)" }).click();
  await page.getByRole("heading", { name: "Remove Brixton Connectors?" }).waitFor();
  await check(page, `${mode}-25b-service-remove`);
  await page.getByRole("button", { name: "Remove service" }).click();
  await page.getByText("Service removed.").waitFor();
  assert.equal(await page.locator(".govuk-summary-card", { hasText: "Brixton Connectors" }).count(), 0, "gone from the profile");

  // Signing in again brings the volunteer back to the charity.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  await page.goto(`${url}sign-in`);
  await page.getByLabel("Your name").fill("Amira Haddad");
  await page.getByLabel("Your email address").fill(email);
  await page.getByLabel("A volunteer or worker at a charity or community group").check();
  await page.getByRole("button", { name: "Continue" }).click();
  assert.equal(await page.locator("h1").textContent(), "Brixton Good Neighbours");

  await page.goto(`${url}no-such-page`);
  assert.equal(await page.locator("h1").textContent(), "Page not found");
  await check(page, `${mode}-16-not-found`);
  assert.deepEqual(problems, [], "no console errors");
  if (withScript && process.env.PORTAL_TIMINGS) {
    const tender = lambethPath.slice(1);
    const pages = ["dashboard", "services/new", "locker", "locker/upload", "tenders", tender, `${tender}/bid`, `${tender}/bid/answers/1`, `${tender}/bid/price`, `${tender}/bid/receipt`];
    await timings(context, url, pages, Number(process.env.PORTAL_TIMINGS));
  }
  await context.close();
  return { email, lambethPath };
}

/** The partner the second run's bid names confirms on the tender's page, then declines; the lead sees each on its receipt. */
async function partnerConfirms(browser, url, lead) {
  const partner = await signInAs(browser, url, "A volunteer at Stockwell Community Connect (from the demo)");
  await partner.page.goto(`${url}${lead.lambethPath.slice(1)}`);
  await partner.page.getByRole("heading", { name: "Brixton Good Neighbours names you as a partner" }).waitFor();
  assert.match(await partner.page.locator("#main-content").textContent(), /Runs the connectors' drop-in in Stockwell/);
  await check(partner.page, "partner-01-named");
  await partner.page.getByRole("button", { name: "Confirm we are a partner" }).click();
  await partner.page.getByText("You confirmed you are part of this bid.").waitFor();
  await check(partner.page, "partner-02-confirmed");

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}sign-in`);
  await page.getByLabel("Your name").fill("Amira Haddad");
  await page.getByLabel("Your email address").fill(lead.email);
  await page.getByLabel("A volunteer or worker at a charity or community group").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.goto(`${url}${lead.lambethPath.slice(1)}/bid/receipt`);
  const answer = page.locator(".govuk-summary-list__row", { hasText: "Stockwell Community Connect" }).locator(".govuk-tag");
  assert.equal((await answer.textContent()).trim(), "Confirmed");
  await check(page, "partner-03-lead-receipt");

  // Declined after all: the partner is out of the bid and no longer reads it; the lead sees why.
  await partner.page.reload();
  await partner.page.getByRole("button", { name: "Decline" }).click();
  await partner.page.getByText("You declined. Your organisation is no longer named in that bid.").waitFor();
  assert.equal(await partner.page.getByRole("heading", { name: /names you as a partner/ }).count(), 0);
  await check(partner.page, "partner-04-declined");
  await partner.context.close();
  await page.reload();
  assert.equal((await answer.textContent()).trim(), "Declined: no longer in the bid");
  await context.close();
}

/** After the award, on a marketplace where the whole demo ran: the bidder that lost reads, from its
 * notification, how its bid was scored beside the winner's; the winner reads that it won. */
async function afterTheAward(browser) {
  const bidPeriod = "6";
  const awarded = await startMarketplace({ TENDERING_MINIMUM_BID_PERIOD_SECS: bidPeriod });
  try {
    const story = spawnSync(binary, ["--data-dir", awarded.data, "demo", "--address", awarded.grpc, "--bid-period-secs", bidPeriod], { encoding: "utf8" });
    assert.equal(story.status, 0, `the demo did not run to its award:\n${story.stdout}\n${story.stderr}`);
    const { url } = awarded;

    const runnerUp = await signInAs(browser, url, "A volunteer at Brixton Good Neighbours (from the demo)");
    await runnerUp.page.goto(`${url}notifications`);
    await runnerUp.page.getByRole("link", { name: /^The outcome of / }).first().click();
    await runnerUp.page.getByRole("heading", { name: "The outcome of your bid" }).waitFor();
    await runnerUp.page.getByRole("heading", { name: "Your bid was not successful this time" }).waitFor();
    const place = runnerUp.page.locator(".govuk-summary-list__row", { hasText: "Your place" }).locator("dd");
    assert.equal((await place.textContent()).trim(), "2 of 2");
    const cards = runnerUp.page.locator(".govuk-summary-card");
    assert.ok((await cards.count()) >= 2, "a card per criterion");
    const quality = cards.filter({ has: runnerUp.page.locator(".govuk-summary-list__key", { hasText: "Why the winning bid scored this" }) });
    assert.ok((await quality.count()) >= 1, "a criterion's reasons beside the winner's");
    assert.match(await cards.first().textContent(), /Your score/);
    await check(runnerUp.page, "award-01-outcome-unsuccessful");
    await runnerUp.context.close();

    const winner = await signInAs(browser, url, "A volunteer at Tulse Hill Friendship Club (from the demo)");
    await winner.page.goto(`${url}notifications`);
    await winner.page.getByRole("link", { name: /^The outcome of / }).first().click();
    await winner.page.getByRole("heading", { name: "Your bid was successful" }).waitFor();
    assert.equal(await winner.page.getByText("Why the winning bid scored this").count(), 0, "the winner's own reasons only");
    await check(winner.page, "award-02-outcome-successful");
    await winner.context.close();
  } finally {
    awarded.child.kill("SIGTERM");
    rmSync(awarded.data, { recursive: true, force: true });
  }
}

const { url, grpc, child, data } = await startMarketplace();
// Councils' tenders to find: the demo's, left open for the marketplace's default bid period.
const posted = spawnSync(binary, ["--data-dir", data, "demo", "--address", grpc, "--bid-period-secs", String(7 * 24 * 3600), "--stop-after-publishing"], { encoding: "utf8" });
assert.equal(posted.status, 0, `the demo did not post its tenders:\n${posted.stdout}\n${posted.stderr}`);
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  await journey(browser, url, true);
  const lead = await journey(browser, url, false);
  await partnerConfirms(browser, url, lead);
  await afterTheAward(browser);
  assert.deepEqual(violations, [], `axe found violations:\n${violations.join("\n")}`);
  console.log(`browser journey: passed, with and without JavaScript; screenshots in ${screenshots}`);
} finally {
  await browser?.close();
  child.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
