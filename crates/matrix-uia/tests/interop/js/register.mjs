// matrix-js-sdk against the example homeserver:
//
// 1. register through /register with InteractiveAuth: m.login.terms (the
//    policies read from the stage's params) then m.login.dummy, or, with
//    --registration-token, m.login.registration_token then m.login.dummy;
// 2. log in with the password;
// 3. change the password through /account/password with InteractiveAuth
//    (m.login.password, an m.id.user identifier): a wrong password first,
//    which the SDK must see as a UIA answer with M_FORBIDDEN, then the right one;
// 4. log in with the new password; the old one must be refused.
//
// usage: node register.mjs BASE_URL [--username NAME] [--registration-token TOKEN]
// Prints one JSON line; exits non-zero on any failure.

import { acceptTerms, args, check, client, failedLogin, interactiveAuth, login, main, register, userIdentifier } from "./lib.mjs";

const USAGE = "node register.mjs BASE_URL [--username NAME] [--registration-token TOKEN]";

await main(async () => {
  const { positional, options } = args(USAGE);
  const [baseUrl] = positional;
  check(baseUrl, `no homeserver URL\nusage: ${USAGE}`);
  const username = options.username ?? "jsalice";
  const token = options["registration-token"];
  const first = "correct horse battery staple";
  const second = "a new password under UIA";

  const anonymous = client(baseUrl);
  const versions = await anonymous.getVersions();
  check(versions.versions?.length > 0, `no versions: ${JSON.stringify(versions)}`);

  // 1. Registration.
  let policies = null;
  const registration = await register(
    anonymous,
    { username, password: first },
    (stage, { params }) => {
      if (stage === "m.login.terms") {
        const terms = acceptTerms(params);
        policies = terms.policies;
        return terms.dict;
      }
      if (stage === "m.login.registration_token") {
        check(token, "the SDK asked for a registration token, but none was given");
        return { type: "m.login.registration_token", token };
      }
      throw new Error(`unexpected registration stage ${stage}`);
    },
    // How a client says which stages it can do: the SDK then prefers the
    // token flow over the terms one.
    token ? { supportedStages: ["m.login.registration_token", "m.login.dummy"] } : {},
  );
  const account = registration.result;
  check(account.user_id && account.access_token, `registration gave no account: ${JSON.stringify(account)}`);

  // 2. Login.
  const session = await login(baseUrl, username, first);
  check(session.user_id === account.user_id, `login as ${session.user_id}, registered ${account.user_id}`);
  const loggedIn = client(baseUrl, session);

  // 3. Password change: a wrong password, then the right one.
  const tried = [];
  const change = await interactiveAuth(
    loggedIn,
    (auth) => loggedIn.setPassword(auth, second),
    (stage, { status }) => {
      check(stage === "m.login.password", `unexpected password-change stage ${stage}`);
      const password = tried.length === 0 ? "a wrong guess" : first;
      tried.push({ errcode_before: status?.errcode || null, password: password === first ? "right" : "wrong" });
      return { type: "m.login.password", identifier: userIdentifier(account.user_id), password };
    },
  );
  const failedAttempt = change.trace.requests.find((r) => r.errcode);
  check(failedAttempt, `the wrong password was not refused: ${JSON.stringify(change.trace)}`);
  check(failedAttempt.matrixError, "the refusal did not reach the SDK as a MatrixError");

  // 4. The new password logs in; the old one does not.
  const again = await login(baseUrl, username, second);
  check(again.user_id === account.user_id, `new-password login as ${again.user_id}`);
  const old = await failedLogin(baseUrl, username, first);

  return {
    user_id: account.user_id,
    device_id: account.device_id,
    registration: { ...registration.trace, policies },
    login_device_id: session.device_id,
    password_change: { ...change.trace, tried, failed_errcode: failedAttempt.errcode, failed_status: failedAttempt.status },
    new_password_login: again.user_id,
    old_password_login: old,
  };
});
