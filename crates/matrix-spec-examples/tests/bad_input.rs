//! Input that is not a well-formed spec: a clear error or a best-effort result,
//! in both formats, never a panic.

use matrix_spec_examples::{Format, Kind, Problem, extract, extract_bytes};

const FORMATS: [Format; 2] = [Format::Rst, Format::Markdown];

#[test]
fn binary_files_are_refused_with_the_position_of_the_nul() {
    for format in FORMATS {
        let error = extract_bytes(b"Title\n=====\n\nab\0cd", format).unwrap_err();
        assert_eq!((error.line, error.column, error.problem), (4, 3, Problem::Binary));
        let shown = error.display_in(std::path::Path::new("spec/x.rst"));
        assert!(shown.starts_with("spec/x.rst:4:3: a NUL byte"), "{shown}");
    }
}

#[test]
fn a_nul_far_into_a_text_file_is_text() {
    let mut text = "Intro paragraph.\n\n".repeat(1000);
    text.push_str("::\n\n  a\0b\n");
    for format in FORMATS {
        assert!(extract(&text, format).is_ok());
    }
}

#[test]
fn non_utf8_is_refused_with_line_and_column() {
    for format in FORMATS {
        let error = extract_bytes(
            "héllo\nwörld \u{1F600}\n"
                .as_bytes()
                .iter()
                .copied()
                .chain(*b"\xff")
                .collect::<Vec<u8>>()
                .as_slice(),
            format,
        )
        .unwrap_err();
        assert_eq!((error.line, error.column, error.problem), (3, 1, Problem::NotUtf8));
        let error = extract_bytes(b"ok\nab\xc3(", format).unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
    }
}

#[test]
fn crlf_and_lone_cr_line_ends_keep_line_numbers() {
    let rst = "Title\r\n=====\r\n\r\n.. code:: json\r\n\r\n  {\"a\": 1}\r\n";
    let examples = extract(rst, Format::Rst).unwrap();
    assert_eq!((examples[0].line, examples[0].kind), (6, Kind::Json));
    assert_eq!(examples[0].section, ["Title"]);
    let md = "# Title\r\r```json\r{\"a\": 1}\r```\r";
    let examples = extract(md, Format::Markdown).unwrap();
    assert_eq!((examples[0].line, examples[0].kind), (4, Kind::Json));
}

#[test]
fn unterminated_markdown_fence_runs_to_the_end() {
    let examples = extract("# T\n\n```json\n{\"a\": 1}\n", Format::Markdown).unwrap();
    assert_eq!(examples[0].body, Some(serde_json::json!({"a": 1})));
}

#[test]
fn rst_directive_without_body_is_skipped_and_the_rest_is_found() {
    let text = ".. code:: json\n\nText.\n\n.. code:: json\n\n  {\"b\": 2}\n";
    let examples = extract(text, Format::Rst).unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0].line, 7);
}

#[test]
fn ten_thousand_nested_levels_in_either_format() {
    // `- - - item` is a list nested in a list in both formats: ten thousand
    // levels on one line, without the quadratic input that indentation would need.
    let rst = format!("{}item::\n\n{}literal\n", "- ".repeat(10_000), " ".repeat(20_002));
    let examples = extract(&rst, Format::Rst).unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0].raw, "literal\n");

    let quote = "> ".repeat(10_000);
    let md = format!("{}item\n\n{quote}```json\n{quote}{{}}\n{quote}```\n", "- ".repeat(10_000));
    let examples = extract(&md, Format::Markdown).unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0].kind, Kind::Json);
}

#[test]
fn tabs_in_indentation_are_expanded() {
    let examples = extract("::\n\n\t{\"a\":\n\t  1}\n", Format::Rst).unwrap();
    assert_eq!(examples[0].raw, "{\"a\":\n  1}\n");
    let examples = extract("# T\n\n\t{\"a\": 1}\n", Format::Markdown).unwrap();
    assert_eq!((examples[0].kind, examples[0].line), (Kind::Json, 3));
}

#[test]
fn garbage_text_never_panics() {
    // Every prefix of a text dense in markup, cut at every character boundary.
    let text = "T\n=\n\n.. code::\n :a:\n\n  {\"x\": [1,\n- a::\n\n    ``b``\n```json\n{\n~~~\n> ```\n> HTTP/1.1 401\n\n\
                \"k\": {\n\t..\n::\n#. (i) ::\n\n +\n+++\n";
    for (end, _) in text.char_indices() {
        for format in FORMATS {
            let _ = extract(&text[..end], format);
        }
    }
}
