//! What one code block of the spec is, once extracted.

use serde::{Deserialize, Serialize};

/// One code block of a spec file, classified.
///
/// Every code block becomes an `Example`, including diagrams and invalid JSON:
/// a block that is not what it looks like is a finding to report, not a reason to fail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Stable identifier, unique within its file: the slugs of the two
    /// innermost section titles (more where two sections would share them)
    /// and the block's 1-based ordinal in its section, e.g.
    /// `user-interactive-authentication-api/password-based/1`; a block before
    /// the first heading is `_preamble/1`. It changes only when its own
    /// section changes.
    pub id: String,
    /// 1-based line of the block's first content line in the source file.
    pub line: usize,
    /// Titles of the enclosing sections, outermost first.
    pub section: Vec<String>,
    /// The language or info string of the block (`json`, `nohighlight`, …);
    /// empty when the block has none (an RST `::` literal block, a bare `.. code::`).
    pub info: String,
    /// What the block holds.
    pub kind: Kind,
    /// HTTP method of a request, e.g. `POST`.
    #[serde(default)]
    pub method: Option<String>,
    /// Request target of a request, e.g. `/_matrix/client/r0/endpoint`.
    #[serde(default)]
    pub path: Option<String>,
    /// Status code of a response, e.g. `401`.
    #[serde(default)]
    pub status: Option<u16>,
    /// Reason phrase of a response as the spec writes it, e.g. `Unauthorized`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Header fields of an HTTP example, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// For a [`Kind::JsonFragment`] such as `"identifier": {…}`, the key.
    #[serde(default)]
    pub fragment_key: Option<String>,
    /// The JSON body when it parses: the whole block for [`Kind::Json`], the
    /// part after the head for HTTP examples, the value of the key for a fragment.
    pub body: Option<serde_json::Value>,
    /// 1-based line where the JSON body's text starts: after the head of an
    /// HTTP example, in the second block of a Markdown two-block example.
    #[serde(default)]
    pub body_line: Option<usize>,
    /// Why a block that looks like JSON (or an HTTP body) did not parse,
    /// with the file line and column of the fault.
    #[serde(default)]
    pub json_error: Option<String>,
    /// The block's text, dedented, as it stands in the spec (for the
    /// Markdown two-block form, head and body joined by a blank line).
    pub raw: String,
}

impl Example {
    /// The `auth` dict of a User-Interactive Authentication request body: the
    /// value of the body's `auth` member, when that is an object.
    ///
    /// Spec revisions show such a request in more than one form: after an
    /// HTTP head (`POST … HTTP/1.1`, then JSON; [`Kind::HttpRequest`]) or as
    /// a bare JSON block whose object carries `auth` beside the endpoint's own
    /// fields ([`Kind::Json`]). [`Example::kind`] says which form the block
    /// takes; this says what the body is, so that a consumer binds both forms
    /// to the request type alike:
    /// `example.request_auth().is_some()` is the test for "a request body with `auth`".
    ///
    /// Members written without their braces (`"auth": {…}, "new_password": …`)
    /// count too: they are the body's object. `None` for responses (the spec
    /// never sends `auth` back), for a lone `"auth": {…}` member (its body is
    /// the auth dict itself, which binds by its `type`), and when `auth` is
    /// missing or not an object.
    pub fn request_auth(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        let object = match self.kind {
            Kind::HttpRequest | Kind::Json => self.body.as_ref(),
            Kind::JsonFragment if self.fragment_key.is_none() => self.body.as_ref(),
            Kind::HttpResponse | Kind::JsonFragment | Kind::Text => None,
        };
        object?.get("auth")?.as_object()
    }
}

/// The classification of a code block: the form it takes, not what its body
/// means. A request body with `auth` comes in more than one form: see
/// [`Example::request_auth`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A request line (`POST /path HTTP/1.1`), headers and an optional body.
    HttpRequest,
    /// A status line (`HTTP/1.1 401 Unauthorized`), headers and an optional body.
    HttpResponse,
    /// A whole JSON value.
    Json,
    /// A JSON member outside its object, e.g. `"identifier": { … }`.
    JsonFragment,
    /// Anything else: diagrams, pseudo-JSON with `...` or comments, prose.
    Text,
}

impl Kind {
    /// The name used in serialized output (`http_request`, `json`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::HttpRequest => "http_request",
            Kind::HttpResponse => "http_response",
            Kind::Json => "json",
            Kind::JsonFragment => "json_fragment",
            Kind::Text => "text",
        }
    }

    /// Whether this is an HTTP request or response.
    pub fn is_http(self) -> bool {
        matches!(self, Kind::HttpRequest | Kind::HttpResponse)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
