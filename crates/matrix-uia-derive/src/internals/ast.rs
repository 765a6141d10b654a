//! The derive input, read and checked: what the emitters can rely on.

use std::collections::BTreeMap;

use syn::{
    Attribute, Data as SynData, DeriveInput, Expr, Fields, GenericArgument, Ident, Lit, PathArguments, Type,
};

use super::attr::{self, Tag};
use super::ctxt::Ctxt;

/// A checked `#[derive(Uia)]` input.
pub struct Container<'a> {
    pub ident: &'a Ident,
    pub attrs: attr::Container,
    pub doc: String,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Struct(Struct<'a>),
    Enum(Vec<Variant<'a>>),
}

pub struct Struct<'a> {
    /// The fields with a JSON key of their own (not `extra`).
    pub fields: Vec<Field<'a>>,
    /// The `#[uia(extra)]` field and its type.
    pub extra: &'a Ident,
    pub extra_ty: &'a Type,
}

pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: attr::Field,
    /// The JSON key (or, for a flattened field, a name for messages).
    pub key: String,
    /// `T` when the field is an `Option<T>`: absent is `None`, and `None` is not written.
    pub optional: Option<&'a Type>,
    pub doc: String,
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: attr::Variant,
}

impl<'a> Container<'a> {
    /// Read and check `input`, recording every problem in `cx`.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Container<'a>> {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(&input.generics, "`#[derive(Uia)]` does not support generic types");
        }
        let data = match &input.data {
            SynData::Struct(data) => Data::Struct(read_struct(cx, input, &attrs, &data.fields)?),
            SynData::Enum(data) => {
                check_enum_attrs(cx, &attrs);
                Data::Enum(data.variants.iter().filter_map(|v| read_variant(cx, v)).collect())
            }
            SynData::Union(_) => {
                cx.error_spanned_by(&input.ident, "`#[derive(Uia)]` does not support unions");
                return None;
            }
        };
        if let Data::Enum(variants) = &data {
            check_variants(cx, variants);
        }
        Some(Container { ident: &input.ident, attrs, doc: doc_comment(&input.attrs), data })
    }
}

fn read_struct<'a>(
    cx: &Ctxt,
    input: &'a DeriveInput,
    attrs: &attr::Container,
    fields: &'a Fields,
) -> Option<Struct<'a>> {
    let Fields::Named(named) = fields else {
        match &attrs.tag {
            Some(tag) => cx.error_spanned_by(&tag.value, "a `type` tag needs a struct with named fields"),
            None => cx.error_spanned_by(&input.ident, "`#[derive(Uia)]` needs a struct with named fields"),
        }
        return None;
    };
    if let (Some(_), Some(params_for)) = (&attrs.tag, &attrs.params_for) {
        cx.error_spanned_by(
            params_for,
            "a struct is either a tagged dict (`auth_type`, `id_type`) or params (`params_for`)",
        );
    }
    let mut extra = None;
    let mut out = Vec::new();
    let mut keys: BTreeMap<String, &Ident> = BTreeMap::new();
    for field in &named.named {
        let Some(ident) = field.ident.as_ref() else { continue };
        let field_attrs = attr::Field::from_ast(cx, &field.attrs);
        if field_attrs.extra {
            if field_attrs.rename.is_some() || field_attrs.flatten || field_attrs.secret {
                cx.error_spanned_by(ident, "the `extra` map takes no other `uia` attribute");
            }
            match extra {
                None => extra = Some((ident, &field.ty)),
                Some(_) => cx.error_spanned_by(ident, "only one field can be `#[uia(extra)]`"),
            }
            continue;
        }
        let optional = option_inner(&field.ty);
        if field_attrs.flatten && optional.is_none() {
            cx.error_spanned_by(&field.ty, "a `flatten` field must be an `Option<T>`");
        }
        let key = match &field_attrs.rename {
            Some(rename) => rename.value(),
            None => ident.to_string().trim_start_matches("r#").to_owned(),
        };
        if !field_attrs.flatten {
            if attrs.tag.is_some() && key == "type" {
                cx.error_spanned_by(ident, "JSON key `type` holds the struct's tag; rename this field");
            } else if let Some(other) = keys.insert(key.clone(), ident) {
                cx.error_spanned_by(
                    ident,
                    format!("JSON key `{key}` is used twice (also by field `{other}`)"),
                );
            }
        }
        out.push(Field {
            ident,
            ty: &field.ty,
            attrs: field_attrs,
            key,
            optional,
            doc: doc_comment(&field.attrs),
        });
    }
    let Some((extra, extra_ty)) = extra else {
        cx.error_spanned_by(
            &input.ident,
            "every UIA type keeps unknown keys: add `#[uia(extra)] pub extra: JsonObject`",
        );
        return None;
    };
    Some(Struct { fields: out, extra, extra_ty })
}

fn check_enum_attrs(cx: &Ctxt, attrs: &attr::Container) {
    if let Some(tag) = &attrs.tag {
        cx.error_spanned_by(&tag.value, "on an enum, put the `type` tag on each variant");
    }
    if let Some(params) = &attrs.params_for {
        cx.error_spanned_by(params, "`params_for` belongs on a struct");
    }
}

fn read_variant<'a>(cx: &Ctxt, variant: &'a syn::Variant) -> Option<Variant<'a>> {
    let attrs = attr::Variant::from_ast(cx, &variant.attrs);
    let chosen = [attrs.tag.is_some(), attrs.other, attrs.untagged].iter().filter(|b| **b).count();
    if chosen == 0 {
        cx.error_spanned_by(
            &variant.ident,
            "missing tag: give the variant `#[uia(auth_type = \"…\")]`, `#[uia(id_type = \"…\")]`, \
             `#[uia(other)]` or `#[uia(untagged)]`",
        );
    } else if chosen > 1 {
        cx.error_spanned_by(
            &variant.ident,
            "a variant takes only one of a `type` tag, `other` and `untagged`",
        );
    }
    match &variant.fields {
        Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
            Some(Variant { ident: &variant.ident, ty: &fields.unnamed[0].ty, attrs })
        }
        _ => {
            cx.error_spanned_by(&variant.ident, "each variant wraps one type: `Password(Password)`");
            None
        }
    }
}

fn check_variants(cx: &Ctxt, variants: &[Variant<'_>]) {
    let mut seen: BTreeMap<String, &Ident> = BTreeMap::new();
    let mut tagged = variants.iter().filter_map(|v| Some((v, v.attrs.tag.as_ref()?)));
    if let Some((_, first)) = tagged.next()
        && let Some((_, odd)) = tagged.find(|(_, tag)| tag.kind != first.kind)
    {
        cx.error_spanned_by(&odd.value, "an enum's variants are all `auth_type` or all `id_type`");
    }
    for variant in variants {
        if let Some(Tag { value, .. }) = &variant.attrs.tag
            && let Some(other) = seen.insert(value.value(), variant.ident)
        {
            cx.error_spanned_by(
                value,
                format!("duplicate type `{}`: variant `{other}` has it too", value.value()),
            );
        }
    }
    let other: fn(&&Variant<'_>) -> bool = |v| v.attrs.other;
    let untagged: fn(&&Variant<'_>) -> bool = |v| v.attrs.untagged;
    for (what, is) in [("other", other), ("untagged", untagged)] {
        for extra in variants.iter().filter(is).skip(1) {
            cx.error_spanned_by(extra.ident, format!("only one variant can be `{what}`"));
        }
    }
}

/// `T` of a field typed `Option<T>` (by its last path segment, as serde does).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// The doc comment, one leading space per line removed.
pub fn doc_comment(attrs: &[Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            let line = s.value();
            lines.push(line.strip_prefix(' ').unwrap_or(&line).to_owned());
        }
    }
    lines.join("\n").trim().to_owned()
}
