//! `#[uia(…)]` attributes of containers, fields and variants.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr};

use super::ctxt::Ctxt;
use super::symbol::*;

/// What the `"type"` tag of a struct or variant means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TagKind {
    /// An auth dict's type (`m.login.password`).
    AuthType,
    /// A user identifier's type (`m.id.user`).
    IdType,
}

/// A `"type"` tag with the attribute it came from, for error spans.
#[derive(Clone)]
pub struct Tag {
    pub kind: TagKind,
    pub value: LitStr,
}

/// Container attributes.
#[derive(Default)]
pub struct Container {
    pub tag: Option<Tag>,
    pub params_for: Option<LitStr>,
    pub sections: Vec<LitStr>,
    pub spec: Option<LitStr>,
    /// Generate `new` with the required fields.
    pub new: bool,
}

/// Field attributes.
#[derive(Default)]
pub struct Field {
    pub extra: bool,
    pub rename: Option<LitStr>,
    pub secret: bool,
    pub flatten: bool,
}

/// Variant attributes.
#[derive(Default)]
pub struct Variant {
    pub tag: Option<Tag>,
    pub other: bool,
    pub untagged: bool,
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Container::default();
        for_each_uia_meta(cx, attrs, |meta| {
            if meta.path == AUTH_TYPE || meta.path == ID_TYPE {
                set_tag(cx, &mut out.tag, &meta)?;
            } else if meta.path == PARAMS_FOR {
                set_once(cx, &mut out.params_for, &meta, PARAMS_FOR)?;
            } else if meta.path == SECTION {
                out.sections.push(meta.value()?.parse()?);
            } else if meta.path == SPEC {
                set_once(cx, &mut out.spec, &meta, SPEC)?;
            } else if meta.path == NEW {
                out.new = true;
            } else {
                return Err(unknown(&meta, &[AUTH_TYPE, ID_TYPE, PARAMS_FOR, SECTION, SPEC, NEW]));
            }
            Ok(())
        });
        out
    }
}

impl Field {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Field::default();
        for_each_uia_meta(cx, attrs, |meta| {
            if meta.path == EXTRA {
                out.extra = true;
            } else if meta.path == SECRET {
                out.secret = true;
            } else if meta.path == FLATTEN {
                out.flatten = true;
            } else if meta.path == RENAME {
                set_once(cx, &mut out.rename, &meta, RENAME)?;
            } else {
                return Err(unknown(&meta, &[EXTRA, RENAME, SECRET, FLATTEN]));
            }
            Ok(())
        });
        out
    }
}

impl Variant {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Variant::default();
        for_each_uia_meta(cx, attrs, |meta| {
            if meta.path == AUTH_TYPE || meta.path == ID_TYPE {
                set_tag(cx, &mut out.tag, &meta)?;
            } else if meta.path == OTHER {
                out.other = true;
            } else if meta.path == UNTAGGED {
                out.untagged = true;
            } else {
                return Err(unknown(&meta, &[AUTH_TYPE, ID_TYPE, OTHER, UNTAGGED]));
            }
            Ok(())
        });
        out
    }
}

/// Run `f` on every item of every `#[uia(…)]` attribute, recording its errors
/// and carrying on with the next attribute.
fn for_each_uia_meta(cx: &Ctxt, attrs: &[Attribute], mut f: impl FnMut(ParseNestedMeta) -> syn::Result<()>) {
    for attr in attrs.iter().filter(|a| *a.path() == UIA) {
        if let Err(error) = attr.parse_nested_meta(&mut f) {
            cx.syn_error(error);
        }
    }
}

fn set_tag(cx: &Ctxt, slot: &mut Option<Tag>, meta: &ParseNestedMeta) -> syn::Result<()> {
    let kind = if meta.path == AUTH_TYPE { TagKind::AuthType } else { TagKind::IdType };
    let value: LitStr = meta.value()?.parse()?;
    if value.value().is_empty() {
        cx.error_spanned_by(&value, "the `type` tag cannot be empty");
    }
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, "duplicate `type` tag: give `auth_type` or `id_type` once");
    }
    *slot = Some(Tag { kind, value });
    Ok(())
}

fn set_once(cx: &Ctxt, slot: &mut Option<LitStr>, meta: &ParseNestedMeta, name: Symbol) -> syn::Result<()> {
    let value: LitStr = meta.value()?.parse()?;
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate `uia` attribute `{name}`"));
    }
    *slot = Some(value);
    Ok(())
}

fn unknown(meta: &ParseNestedMeta, expected: &[Symbol]) -> syn::Error {
    let name = meta.path.get_ident().map_or_else(|| "?".to_owned(), ToString::to_string);
    let expected: Vec<String> = expected.iter().map(|s| format!("`{s}`")).collect();
    meta.error(format!("unknown `uia` attribute `{name}`; expected one of {}", expected.join(", ")))
}
