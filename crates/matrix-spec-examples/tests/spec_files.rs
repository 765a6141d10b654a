//! The vendored spec files, extracted as a maintainer would: the examples the
//! seed change is about must be found, classified and parsed exactly.

use std::path::PathBuf;

use matrix_spec_examples::{Example, Format, Kind, extract};
use serde_json::Value;

fn spec(name: &str) -> Vec<Example> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let format = Format::from_path(&path).expect("a spec file");
    extract(&text, format).unwrap_or_else(|e| panic!("{}", e.display_in(&path)))
}

/// The HTTP examples of the section the seed change edits.
fn rest_api_http(examples: &[Example]) -> Vec<&Example> {
    examples
        .iter()
        .filter(|e| e.section.last().is_some_and(|s| s == "User-interactive API in the REST API"))
        .filter(|e| e.kind.is_http())
        .collect()
}

fn body(example: &Example) -> &Value {
    example.body.as_ref().unwrap_or_else(|| panic!("{} has no body: {:?}", example.id, example.json_error))
}

#[test]
fn seed_file_has_the_five_http_examples_of_the_rest_api_section() {
    let examples = spec("client_server_api.rst");
    let http = rest_api_http(&examples);
    let shape: Vec<(Kind, Option<u16>, Option<&str>)> =
        http.iter().map(|e| (e.kind, e.status, e.method.as_deref())).collect();
    assert_eq!(
        shape,
        [
            (Kind::HttpResponse, Some(401), None),
            (Kind::HttpRequest, None, Some("POST")),
            (Kind::HttpResponse, Some(401), None),
            (Kind::HttpResponse, Some(401), None),
            (Kind::HttpResponse, Some(400), None),
        ]
    );
    assert_eq!(http[1].path.as_deref(), Some("/_matrix/client/r0/endpoint"));
    assert_eq!(body(http[1])["auth"]["type"], "example.type.foo");
    assert_eq!(body(http[2])["completed"], serde_json::json!(["example.type.foo"]));
    let failed = body(http[3]);
    assert_eq!(failed["errcode"], "M_FORBIDDEN");
    assert_eq!(failed["error"], "Invalid password");
    assert_eq!(failed["session"], "xxxxxx");
    assert!(failed["flows"].is_array());
    assert_eq!(
        body(http[4]),
        &serde_json::json!({"errcode": "M_EXAMPLE_ERROR", "error": "Something was wrong"})
    );
    assert_eq!(http[4].reason.as_deref(), Some("Bad request"));
    assert_eq!(http[0].headers, [("Content-Type".to_owned(), "application/json".to_owned())]);
    assert_eq!(http[3].line, 312, "the line of the status line in the file");
}

#[test]
fn before_seed_file_has_four_and_no_failed_stage_example() {
    let examples = spec("client_server_api.before-seed.rst");
    let http = rest_api_http(&examples);
    let statuses: Vec<Option<u16>> = http.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(401), None, Some(401), Some(400)]);
    assert!(http.iter().all(|e| body(e).get("errcode").is_none_or(|c| c != "M_FORBIDDEN")));
}

#[test]
fn markdown_edition_merges_head_and_body_and_agrees_with_the_rst() {
    let markdown = spec("client_server_api.v1.md");
    let md = rest_api_http(&markdown);
    let rst = spec("client_server_api.rst");
    let rst = rest_api_http(&rst);
    assert_eq!(md.len(), 5, "{md:#?}");
    for (md, rst) in md.iter().zip(&rst) {
        assert_eq!((md.kind, md.status, &md.method), (rst.kind, rst.status, &rst.method), "{}", md.id);
        assert_eq!(body(md), body(rst), "{} and {} publish the same body", md.id, rst.id);
        assert_eq!(md.headers, rst.headers);
    }
    assert_eq!(md[1].path.as_deref(), Some("/_matrix/client/v3/endpoint"));
}

#[test]
fn every_markdown_code_block_is_an_example_or_the_body_of_one() {
    use pulldown_cmark::{Event, Parser, Tag};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec/client_server_api.v1.md");
    let text = std::fs::read_to_string(path).unwrap();
    let examples = spec("client_server_api.v1.md");
    let (mut own, mut bodies) = (0, 0);
    for (event, range) in Parser::new_ext(&text, matrix_spec_examples::markdown_options()).into_offset_iter()
    {
        if let Event::Start(Tag::CodeBlock(_)) = event {
            // The content starts on the fence's line (indented block) or the next (fenced).
            let fence = text[..range.start].matches('\n').count() + 1;
            let here = |line: usize| line == fence || line == fence + 1;
            if examples.iter().any(|e| here(e.line)) {
                own += 1;
            } else if examples.iter().any(|e| e.body_line.is_some_and(here)) {
                bodies += 1;
            } else {
                panic!("the code block at line {fence} is no example");
            }
        }
    }
    assert_eq!(own, examples.len(), "every example is a code block of its own");
    assert!(bodies >= 9, "the UIA and terms sections write HTTP examples as two blocks ({bodies})");
}

#[test]
fn ids_are_unique_within_each_file() {
    for name in ["client_server_api.rst", "client_server_api.before-seed.rst", "client_server_api.v1.md"] {
        let examples = spec(name);
        let mut ids: Vec<&str> = examples.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "{name} has duplicate ids");
    }
}

#[test]
fn the_seed_change_adds_one_example_and_moves_no_other_id() {
    let before = spec("client_server_api.before-seed.rst");
    let after = spec("client_server_api.rst");
    let ids = |examples: &[Example]| -> Vec<String> { examples.iter().map(|e| e.id.clone()).collect() };
    let (before_ids, after_ids) = (ids(&before), ids(&after));
    let added: Vec<&String> = after_ids.iter().filter(|id| !before_ids.contains(id)).collect();
    assert_eq!(added, ["user-interactive-authentication-api/user-interactive-api-in-the-rest-api/5"]);
    // Outside the edited section, every example keeps its id and body.
    for old in before.iter().filter(|e| !e.id.contains("user-interactive-api-in-the-rest-api/")) {
        let new = after.iter().find(|e| e.id == old.id).expect("still there");
        assert_eq!(new.body, old.body, "{}", old.id);
    }
}

#[test]
fn identifier_fragments_are_json_fragments_with_their_key() {
    let examples = spec("client_server_api.v1.md");
    let identifiers: Vec<&Example> =
        examples.iter().filter(|e| e.section.iter().any(|s| s == "Identifier types")).collect();
    assert_eq!(identifiers.len(), 3);
    for example in identifiers {
        assert_eq!(example.kind, Kind::JsonFragment, "{}", example.id);
        assert_eq!(example.fragment_key.as_deref(), Some("identifier"));
        assert!(body(example)["type"].as_str().is_some_and(|t| t.starts_with("m.id.")));
    }
}

#[test]
fn rst_comments_are_no_sections() {
    for name in ["client_server_api.rst", "client_server_api.before-seed.rst"] {
        let examples = spec(name);
        assert!(!examples.is_empty(), "{name}");
        for example in &examples {
            // The licence header's `..` lines once made its URL line the outermost title.
            assert!(
                !example.section.iter().any(|s| s.starts_with("..")),
                "{name}: {}: {:?}",
                example.id,
                example.section
            );
            assert_eq!(
                example.section.first().map(String::as_str),
                Some("Client-Server API"),
                "{name}: {}",
                example.id
            );
        }
    }
}

#[test]
fn request_bodies_with_auth_are_the_uia_requests_in_every_revision() {
    for (name, expected) in [
        ("client_server_api.rst", 1),
        ("client_server_api.before-seed.rst", 1),
        ("client_server_api.v1.md", 2),
    ] {
        let examples = spec(name);
        let requests: Vec<&Example> = examples.iter().filter(|e| e.request_auth().is_some()).collect();
        assert_eq!(requests.len(), expected, "{name}: {requests:#?}");
        assert!(requests.iter().all(|e| e.kind == Kind::HttpRequest && e.method.as_deref() == Some("POST")));
    }
}
