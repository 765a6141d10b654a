// The m.login.terms fallback page in a real browser, then matrix-js-sdk
// finishes the registration, as Element's fallback stage does it:
//
// 1. InteractiveAuth resumes the registration session the test started
//    (`sessionId`), and asks the application for m.login.terms;
// 2. the application takes the SDK's fallback URL (`getFallbackAuthUrl`) and
//    opens it as a popup from its own page, which listens for the page's
//    "authDone" message; headless Chromium clicks "I accept" in the popup;
// 3. on authDone the application submits an empty auth dict: the SDK sends
//    the session alone, sees m.login.terms completed, submits m.login.dummy
//    itself, and the registration completes.
//
// usage: node fallback.mjs BASE_URL --session ID --username NAME --password PW --screenshot FILE.png
// Prints one JSON line; exits non-zero on any failure.

import { check, args, client, main, register } from "./lib.mjs";

const USAGE = "node fallback.mjs BASE_URL --session ID --username NAME --password PW --screenshot FILE.png";
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-quic",
  "--disable-component-update",
  "--disable-sync",
];
const STEP_TIMEOUT_MS = 30_000;

/** The application's page: a button that opens the fallback, and the listener. */
const OPENER = `<!DOCTYPE html><html><head><title>Client</title></head><body>
<button id="start">Accept the terms</button>
<script>
  let url = null;
  window.configure = (fallback) => { url = fallback; };
  document.getElementById("start").onclick = () => window.open(url, "matrix-uia-fallback");
  window.addEventListener("message", (event) => {
    if (event.data === "authDone") window.reportAuthDone(event.origin, event.data);
  });
</script></body></html>`;

/** Open `url` as a popup, accept, and wait for the page's authDone. */
async function acceptInBrowser(url, session, screenshot, onCleanup) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: STEP_TIMEOUT_MS });
  onCleanup(() => browser.close());
  try {
    // A new context is a fresh profile: no cookies, no storage.
    const context = await browser.newContext({ viewport: { width: 800, height: 500 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const opener = await context.newPage();
    let authDone;
    const signalled = new Promise((resolve) => (authDone = resolve));
    await opener.exposeFunction("reportAuthDone", (origin, data) => authDone({ origin, data }));
    await opener.setContent(OPENER);
    await opener.evaluate((fallback) => window.configure(fallback), url);

    // A click is a user gesture: the popup is not blocked.
    const [popup] = await Promise.all([context.waitForEvent("page"), opener.click("#start")]);
    await popup.waitForSelector("#accept");
    const page = {
      title: await popup.title(),
      policies: await popup.locator("li").allInnerTexts(),
      session: await popup.inputValue("input[name=session]"),
    };
    check(page.session === session, `the page's session ${page.session}, expected ${session}`);
    await popup.screenshot({ path: screenshot.replace(/\.png$/, "-page.png") });

    await popup.click("#accept");
    const signal = await Promise.race([
      signalled,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("no authDone from the fallback page")), STEP_TIMEOUT_MS),
      ),
    ]);
    const done = await popup.locator("#done").innerText();
    await popup.screenshot({ path: screenshot });
    return { url, page, done_title: await popup.title(), done_text: done, auth_done: signal, screenshot };
  } finally {
    await browser.close();
  }
}

await main(async ({ onCleanup }) => {
  const { positional, options } = args(USAGE);
  const [baseUrl] = positional;
  const { session, username, password, screenshot } = options;
  check(baseUrl && session && username && password && screenshot, `missing arguments\nusage: ${USAGE}`);

  const anonymous = client(baseUrl);
  let fallback = null;
  const registration = await register(
    anonymous,
    { username, password },
    async (stage, ctx) => {
      check(stage === "m.login.terms", `unexpected stage ${stage}: only m.login.terms has a fallback here`);
      check(!fallback, "the SDK asked for m.login.terms again after the fallback");
      const url = anonymous.getFallbackAuthUrl(stage, ctx.session);
      fallback = await acceptInBrowser(url, ctx.session, screenshot, onCleanup);
      // What Element's FallbackAuthEntry submits on authDone: nothing but the
      // session, which the SDK adds.
      return {};
    },
    { sessionId: session },
  );
  const account = registration.result;
  check(account.user_id && account.access_token, `registration gave no account: ${JSON.stringify(account)}`);
  check(fallback, "the SDK finished without asking for m.login.terms");
  return { user_id: account.user_id, device_id: account.device_id, fallback, registration: registration.trace };
});
