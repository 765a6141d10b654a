//! Code emission. Every path is absolute through `::matrix_uia::__private`, so
//! a user of the derive needs no dependency but `matrix-uia`.

mod enums;
mod structs;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::internals::ast::{Container, Data};
use crate::internals::ctxt::Ctxt;

/// Expand `#[derive(Uia)]`, or every error found in the input.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let container = Container::from_ast(&cx, input);
    cx.check()?;
    let Some(container) = container else {
        return Err(syn::Error::new_spanned(&input.ident, "`#[derive(Uia)]` could not read this item"));
    };
    let body = match &container.data {
        Data::Struct(data) => structs::expand(&container, data),
        Data::Enum(variants) => enums::expand(&container, variants),
    };
    let spec = spec_type(&container);
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use ::matrix_uia::__private as __p;
            #body
            #spec
        };
    })
}

/// `impl SpecType`: the metadata that schemas, docs and verification read.
fn spec_type(container: &Container<'_>) -> TokenStream {
    let ident = container.ident;
    let name = ident.to_string();
    let tag = option_str(container.attrs.tag.as_ref().map(|t| t.value.value()));
    let params_for = option_str(container.attrs.params_for.as_ref().map(|p| p.value()));
    let sections = &container.attrs.sections;
    let spec = container
        .attrs
        .spec
        .as_ref()
        .map_or_else(|| "https://spec.matrix.org/latest/".to_owned(), |s| s.value());
    let doc = &container.doc;
    let params_impl = container.attrs.params_for.as_ref().map(|params_for| {
        quote! {
            #[automatically_derived]
            impl ::matrix_uia::AuthParams for #ident {
                const AUTH_TYPE: &'static str = #params_for;
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl ::matrix_uia::SpecType for #ident {
            const NAME: &'static str = #name;
            const TAG: __p::Option<&'static str> = #tag;
            const PARAMS_FOR: __p::Option<&'static str> = #params_for;
            const SECTIONS: &'static [&'static str] = &[#(#sections),*];
            const SPEC_URL: &'static str = #spec;
            const DESCRIPTION: &'static str = #doc;
        }
        #params_impl
    }
}

/// `impl JsonSchema` with the type's name and id, around the body of
/// `json_schema`; kept only when `matrix-uia` has its `schema` feature.
fn json_schema_impl(ident: &syn::Ident, body: TokenStream) -> TokenStream {
    let name = ident.to_string();
    quote! {
        __p::if_schema! {
        #[automatically_derived]
        impl __p::JsonSchema for #ident {
            fn schema_name() -> __p::Cow<'static, str> {
                __p::Cow::Borrowed(#name)
            }

            fn schema_id() -> __p::Cow<'static, str> {
                __p::Cow::Borrowed(concat!(module_path!(), "::", #name))
            }

            fn json_schema(generator: &mut __p::SchemaGenerator) -> __p::Schema {
                #body
            }
        }
        }
    }
}

fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(value) => quote!(__p::Some(#value)),
        None => quote!(__p::None),
    }
}
