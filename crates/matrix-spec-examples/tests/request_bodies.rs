//! A User-Interactive Authentication request body is recognised by its
//! content (an object whose `auth` is an object), whatever form its block
//! takes: after an HTTP head in one block, after a head in the block before
//! (Markdown), or as bare JSON.

use matrix_spec_examples::{Example, Format, Kind, extract};
use serde_json::json;

/// The body every form below shows: `auth` beside the endpoint's own field.
const BODY: &str = r#"{
  "new_password": "hunter2",
  "auth": {"type": "m.login.password", "session": "xyz", "password": "old"}
}"#;

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

fn only(text: &str, format: Format) -> Example {
    let mut examples = extract(text, format).expect("valid text");
    assert_eq!(examples.len(), 1, "{examples:#?}");
    examples.remove(0)
}

/// The example is a request body whose auth dict is the one of [`BODY`].
fn assert_request_body(example: &Example, kind: Kind) {
    assert_eq!(example.kind, kind, "{example:#?}");
    let auth = example.request_auth().unwrap_or_else(|| panic!("no auth dict: {example:#?}"));
    assert_eq!(auth["type"], "m.login.password");
    assert_eq!(auth["session"], "xyz");
    assert_eq!(example.body.as_ref().map(|b| &b["new_password"]), Some(&json!("hunter2")));
}

#[test]
fn rst_request_after_an_http_head() {
    let head = "POST /_matrix/client/r0/account/password HTTP/1.1\nContent-Type: application/json\n\n";
    let request = format!("{head}{BODY}");
    for directive in
        [".. code:: http\n\n", ".. code-block:: json\n   :caption: A request\n\n", "Like this::\n\n"]
    {
        let text = format!("Password\n========\n\n{directive}{}", indent(&request, "   "));
        let example = only(&text, Format::Rst);
        assert_request_body(&example, Kind::HttpRequest);
        assert_eq!(example.method.as_deref(), Some("POST"), "{directive:?}");
    }
    // A head glued to its body, with no blank line, is the same request.
    let glued = format!(".. code::\n\n{}", indent(&format!("POST /register\n{BODY}"), "  "));
    assert_request_body(&only(&glued, Format::Rst), Kind::HttpRequest);
}

#[test]
fn rst_request_as_bare_json() {
    for directive in [".. code:: json\n\n", ".. code::\n\n", "The body::\n\n"] {
        let text = format!("Password\n========\n\n{directive}{}", indent(BODY, "  "));
        let example = only(&text, Format::Rst);
        assert_request_body(&example, Kind::Json);
        assert_eq!((example.method, example.path), (None, None));
    }
}

#[test]
fn markdown_request_after_an_http_head_in_the_same_block() {
    let text =
        format!("# Password\n\n```http\nPOST /_matrix/client/v3/account/password HTTP/1.1\n\n{BODY}\n```\n");
    assert_request_body(&only(&text, Format::Markdown), Kind::HttpRequest);
}

#[test]
fn markdown_request_head_in_a_nohighlight_block_and_body_in_the_next() {
    let pair = format!(
        "```nohighlight\nPOST /_matrix/client/v3/account/password HTTP/1.1\nContent-Type: application/json\n```\n\n```json\n{BODY}\n```\n"
    );
    let example = only(&format!("# Password\n\n{pair}"), Format::Markdown);
    assert_request_body(&example, Kind::HttpRequest);
    assert_eq!(example.body_line, Some(9));
    // The same pair inside a list item.
    let listed = only(&format!("1. Change it:\n\n{}", indent(&pair, "   ")), Format::Markdown);
    assert_request_body(&listed, Kind::HttpRequest);
}

#[test]
fn markdown_request_as_bare_json() {
    for block in [format!("```json\n{BODY}\n```\n"), format!("Intro.\n\n{}", indent(BODY, "    "))] {
        assert_request_body(&only(&format!("# Password\n\n{block}"), Format::Markdown), Kind::Json);
    }
}

#[test]
fn members_without_braces_are_a_request_body_too() {
    let members = "\"auth\": {\"type\": \"m.login.dummy\"},\n\"username\": \"cheeky_monkey\"";
    let example = only(&format!("::\n\n{}", indent(members, "  ")), Format::Rst);
    assert_eq!((example.kind, example.fragment_key.as_deref()), (Kind::JsonFragment, None));
    assert_eq!(example.request_auth().map(|a| &a["type"]), Some(&json!("m.login.dummy")));
}

#[test]
fn bodies_without_an_auth_object_are_not_request_bodies() {
    let not = |format: Format, text: &str| {
        let example = only(text, format);
        assert_eq!(example.request_auth(), None, "{example:#?}");
    };
    // A lone `auth` member: its body is the auth dict, which has no `auth`.
    not(Format::Rst, "::\n\n  \"auth\": {\"type\": \"m.login.dummy\"}\n");
    // `auth` that is not an object.
    not(Format::Markdown, "```json\n{\"auth\": null, \"username\": \"a\"}\n```\n");
    not(Format::Markdown, "```json\n{\"auth\": \"m.login.dummy\"}\n```\n");
    not(Format::Rst, ".. code:: json\n\n  [{\"auth\": {}}]\n");
    // A request with no `auth`, a response that carries one, invalid JSON, prose.
    not(Format::Markdown, "```\nPOST /register HTTP/1.1\n\n{\"username\": \"a\"}\n```\n");
    not(Format::Markdown, "```\nHTTP/1.1 200 OK\n\n{\"auth\": {}}\n```\n");
    not(Format::Rst, ".. code:: json\n\n  {\"auth\": {...}}\n");
    not(Format::Rst, "::\n\n  auth: {}\n");
}

#[test]
fn an_empty_auth_dict_still_makes_a_request_body() {
    // `"auth": {}` asks the server for a new session: a UIA request all the same.
    let example = only("```json\n{\"auth\": {}, \"username\": \"a\"}\n```\n", Format::Markdown);
    assert_eq!(example.request_auth().map(|a| a.len()), Some(0));
}
