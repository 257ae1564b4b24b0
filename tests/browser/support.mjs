// What the browser journeys share: the marketplace under test, the axe-core check and screenshot of
// each page, the GOV.UK error summary read back, and signing in as one of the demo's people.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";

const root = resolve(import.meta.dirname, "../..");
export const binary = process.argv[2] ?? join(root, "target/debug/marketplace");
export const screenshots = join(root, "target/portal-screenshots");
mkdirSync(screenshots, { recursive: true });

/** Starts the all-in-one on a fresh folder (with `env` added to its environment); resolves with the portal's URL and the process. */
export function startMarketplace(env = {}) {
  const data = mkdtempSync(join(tmpdir(), "portal-journey-"));
  const child = spawn(binary, ["--data-dir", data, "serve", "--listen", "127.0.0.1:0", "--portal-listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUST_LOG: "warn", ...env },
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error("the marketplace did not print its portal address in 60 s")), 60_000);
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const found = output.match(/^portal: (http:\/\/\S+)$/m);
      const grpc = output.match(/^marketplace listening on (\S+)$/m);
      if (found && grpc) {
        clearTimeout(timer);
        resolveStart({ url: found[1], grpc: `http://${grpc[1]}`, child, data });
      }
    });
    child.on("exit", (code) => reject(new Error(`the marketplace exited with ${code} before serving`)));
  });
}

/** Every page's axe violations, for the journey to assert none at its end. */
export const violations = [];

/** Checks the page with axe and keeps a screenshot named `name`. */
export async function check(page, name) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"])
    .disableRules(["region"])
    .analyze();
  for (const violation of results.violations) {
    violations.push(`${name}: ${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  }
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** The error summary's messages, in order, each checked to link to a field that exists. */
export async function errorSummary(page) {
  const summary = page.locator(".govuk-error-summary");
  await summary.waitFor();
  const links = summary.locator("a");
  const messages = [];
  for (let index = 0; index < (await links.count()); index++) {
    const link = links.nth(index);
    const target = (await link.getAttribute("href")).slice(1);
    assert.equal(await page.locator(`#${target}`).count(), 1, `the summary links to #${target}, which exists`);
    messages.push((await link.textContent()).trim());
  }
  assert.match(await page.title(), /^Error: /, "the title starts with Error: while there are errors");
  return messages;
}

/** Signs in on the development page as `who` (a label of its choices), in a new context; with
 * `withScript` false, govuk-frontend's script and the portal's are blocked in it. */
export async function signInAs(browser, url, who, { withScript = true } = {}) {
  const context = await browser.newContext();
  if (!withScript) {
    await context.route("**/assets/govuk-frontend.min.js", (route) => route.abort());
    await context.route("**/assets/portal.js", (route) => route.abort());
  }
  const page = await context.newPage();
  await page.goto(`${url}sign-in`);
  await page.getByLabel(who).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.locator("h1").waitFor();
  return { context, page };
}

/** Fetches each of `paths` `repeats` times in `context` and prints p50 and p99 of the time to serve. */
export async function timings(context, url, paths, repeats) {
  console.log(`| page | p50 ms | p99 ms | of ${repeats} |`);
  console.log("|---|---|---|---|");
  for (const path of paths) {
    const took = [];
    for (let index = 0; index < repeats; index++) {
      const started = performance.now();
      const response = await context.request.get(`${url}${path}`);
      await response.body();
      took.push(performance.now() - started);
      assert.equal(response.status(), 200, `${path} is served`);
    }
    took.sort((a, b) => a - b);
    const at = (share) => took[Math.min(took.length - 1, Math.ceil(share * took.length) - 1)].toFixed(1);
    console.log(`| /${path.replace(/[0-9a-f-]{36}/, "{tender}")} | ${at(0.5)} | ${at(0.99)} | |`);
  }
}
