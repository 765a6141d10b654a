// What register.mjs and fallback.mjs share: a real matrix-js-sdk client, the
// SDK's InteractiveAuth wrapped so that every request and every stage it
// asks for is recorded, logins, and the one-JSON-line result protocol that
// tests/interop_js.rs reads.
//
// stdout carries exactly one line: the JSON result. Everything else (the
// SDK's own logging included) goes to stderr, which the Rust test shows
// when something fails.

// The SDK logs through console.log/info/debug, looked up at each call: send
// them all to stderr so that stdout stays one JSON line.
for (const method of ["log", "info", "debug", "trace"]) {
  console[method] = (...args) => console.error(...args);
}

const sdk = await import("matrix-js-sdk");

export { sdk };

/** Fail the script with a message that says which step went wrong. */
export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** `--name value` options and positional arguments from argv. */
export function args(usage) {
  const positional = [];
  const options = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--")) {
      const value = argv[i + 1];
      if (value === undefined) {
        throw new Error(`${argv[i]} needs a value\nusage: ${usage}`);
      }
      options[argv[i].slice(2)] = value;
      i++;
    } else {
      positional.push(argv[i]);
    }
  }
  return { positional, options };
}

/**
 * Run `body` and print its result as one JSON line; on an error print the
 * message to stderr and exit 1. A watchdog ends a script that hangs, after
 * `cleanup` (closing a browser, for instance) had a chance to run.
 */
export async function main(body, { timeoutMs = 90_000 } = {}) {
  const cleanups = [];
  const watchdog = setTimeout(async () => {
    console.error(`timed out after ${timeoutMs} ms`);
    await runCleanups(cleanups);
    process.exit(2);
  }, timeoutMs);
  let code = 0;
  try {
    const result = await body({ onCleanup: (f) => cleanups.push(f) });
    process.stdout.write(JSON.stringify({ ok: true, ...result }) + "\n");
  } catch (error) {
    console.error(`FAILED: ${error?.stack ?? error}`);
    if (error?.data) {
      console.error(`error data: ${JSON.stringify(error.data)}`);
    }
    code = 1;
  } finally {
    clearTimeout(watchdog);
    await runCleanups(cleanups);
  }
  // The SDK keeps no timers once idle, but do not wait on anything left.
  process.exit(code);
}

async function runCleanups(cleanups) {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      console.error(`cleanup failed: ${error?.stack ?? error}`);
    }
  }
}

/** A `MatrixClient`, logged out or with the credentials of a login. */
export function client(baseUrl, login) {
  return sdk.createClient({
    baseUrl,
    ...(login && { userId: login.user_id, accessToken: login.access_token, deviceId: login.device_id }),
  });
}

/** The `m.id.user` identifier of `user`. */
export function userIdentifier(user) {
  return { type: "m.id.user", user };
}

/** POST /login with a password, through the SDK. */
export function login(baseUrl, user, password) {
  return client(baseUrl).loginRequest({
    type: "m.login.password",
    identifier: userIdentifier(user),
    password,
  });
}

/** The `errcode` of a login that must fail, or an error if it succeeded. */
export async function failedLogin(baseUrl, user, password) {
  try {
    await login(baseUrl, user, password);
  } catch (error) {
    check(error instanceof sdk.MatrixError, `login failed without a MatrixError: ${error}`);
    return { status: error.httpStatus, errcode: error.errcode };
  }
  throw new Error(`login as ${user} with a wrong password succeeded`);
}

/**
 * Drive a UIA-protected request with the SDK's InteractiveAuth.
 *
 * `request(auth)` makes the request through the client's http API (so that a
 * 401 is the SDK's own `MatrixError`, which InteractiveAuth reads as a UIA
 * answer). `answer(stage, ctx)` is called for every stage the SDK asks the
 * application to do (not for m.login.dummy, which the SDK submits itself);
 * it returns the auth dict to submit, or a promise of one. `ctx` has the
 * stage's `params`, the `status` the SDK passed (`errcode`/`error` after a
 * failed attempt), the session id and the InteractiveAuth itself.
 *
 * Resolves to the endpoint's response and a trace: every request with the
 * auth dict sent and the outcome, and every stage the SDK asked for.
 */
export async function interactiveAuth(matrixClient, request, answer, options = {}) {
  const trace = { requests: [], stages: [] };
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const ia = new sdk.InteractiveAuth({
    matrixClient,
    ...options,
    doRequest: async (auth, background) => {
      const entry = { auth: auth ?? null, background };
      trace.requests.push(entry);
      try {
        const result = await request(auth);
        entry.status = 200;
        return result;
      } catch (error) {
        entry.status = error?.httpStatus ?? null;
        entry.errcode = error?.errcode ?? null;
        entry.matrixError = error instanceof sdk.MatrixError;
        entry.completed = error?.data?.completed ?? null;
        throw error;
      }
    },
    stateUpdated: (stage, status) => {
      trace.stages.push({ stage, errcode: status?.errcode || null });
      const ctx = { params: ia.getStageParams(stage), status, session: ia.getSessionId(), ia };
      // Answer after the SDK has finished the request that asked, as a UI would.
      setImmediate(async () => {
        try {
          const dict = await answer(stage, ctx);
          check(dict, `no answer for stage ${stage}`);
          await ia.submitAuthDict(dict);
        } catch (error) {
          fail(error);
        }
      });
    },
  });
  const result = await Promise.race([ia.attemptAuth(), failed]);
  trace.session = ia.getSessionId() ?? null;
  trace.flow = ia.getChosenFlow()?.stages ?? null;
  return { result, trace };
}

/** Register `username` through the SDK's `register`, driven by InteractiveAuth. */
export function register(matrixClient, { username, password }, answer, options) {
  return interactiveAuth(
    matrixClient,
    (auth) => matrixClient.register(username, password, undefined, auth),
    answer,
    options,
  );
}

/** The answer for m.login.terms: read the policies, then accept them. */
export function acceptTerms(params) {
  const policies = Object.entries(params?.policies ?? {}).map(([id, policy]) => ({
    id,
    version: policy.version,
    name: policy.en?.name,
    url: policy.en?.url,
  }));
  check(policies.length > 0, `m.login.terms without policies: ${JSON.stringify(params)}`);
  check(
    policies.every((p) => p.version && p.name && p.url),
    `a policy without a version, name or url: ${JSON.stringify(params)}`,
  );
  return { policies, dict: { type: "m.login.terms" } };
}
