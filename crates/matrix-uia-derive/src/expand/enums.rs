//! An enum of tagged types: the one-pass dispatch on `"type"`, and the
//! serializer, schema and tag checks that go with it.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::internals::ast::{Container, Variant};

pub fn expand(container: &Container<'_>, variants: &[Variant<'_>]) -> TokenStream {
    let ident = container.ident;
    let name = ident.to_string();
    let doc = &container.doc;

    let tagged: Vec<(&Variant<'_>, String)> =
        variants.iter().filter_map(|v| Some((v, v.attrs.tag.as_ref()?.value.value()))).collect();
    let dispatch_arms = tagged.iter().map(|(v, tag)| {
        let (variant, ty) = (v.ident, v.ty);
        quote!(#tag => __p::dispatch::<#ty, A>(before, map, __p::None).map(#ident::#variant),)
    });
    let known: Vec<&String> = tagged.iter().map(|(_, tag)| tag).collect();
    let other_arm = match variants.iter().find(|v| v.attrs.other) {
        Some(v) => {
            let (variant, ty) = (v.ident, v.ty);
            quote!(_ => __p::dispatch::<#ty, A>(before, map, __p::Some(tag)).map(#ident::#variant),)
        }
        None => quote!(other => __p::Err(__p::de::Error::unknown_variant(other, &[#(#known),*])),),
    };
    let untagged = match variants.iter().find(|v| v.attrs.untagged) {
        Some(v) => {
            let (variant, ty) = (v.ident, v.ty);
            quote!(__p::build_untagged::<#ty, A::Error>(before).map(#ident::#variant))
        }
        None => quote!(__p::Err(__p::de::Error::missing_field("type"))),
    };
    let expecting = format!(
        "a JSON object with a `type` (one of {})",
        known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    );

    // What the enum says of its variants, for code that would otherwise list them again.
    let infos = variants.iter().map(|v| {
        let ty = v.ty;
        let (name, variant_name) = (quote!(#ty).to_string().replace(' ', ""), v.ident.to_string());
        let tag = match &v.attrs.tag {
            Some(tag) => {
                let tag = tag.value.value();
                quote!(__p::Some(#tag))
            }
            None => quote!(__p::None),
        };
        quote!(::matrix_uia::VariantInfo { variant: #variant_name, type_name: #name, tag: #tag })
    });
    let each = |body: TokenStream| {
        let arms = variants.iter().map(|v| {
            let variant = v.ident;
            quote!(#ident::#variant(value) => #body,)
        });
        quote!(match self { #(#arms)* })
    };
    let type_tag = each(quote!(__p::Fields::type_tag(value)));
    let session = each(quote!(__p::Fields::session(value)));
    let index_arms = variants.iter().enumerate().map(|(i, v)| {
        let variant = v.ident;
        quote!(#ident::#variant(_) => #i,)
    });

    let serialize_arms = variants.iter().map(|v| {
        let variant = v.ident;
        quote!(#ident::#variant(value) => __p::Serialize::serialize(value, serializer),)
    });
    let schemas = variants.iter().map(|v| {
        let ty = v.ty;
        quote!(generator.subschema_for::<#ty>().to_value())
    });
    // The variant's own type must answer to the tag the enum dispatches on.
    let tag_checks = tagged.iter().map(|(v, tag)| {
        let ty = v.ty;
        let message = format!("`{}` is declared with another `type` than `{tag}`", quote!(#ty));
        // Spanned on the variant's type, so the error points at the variant.
        quote_spanned! {ty.span()=>
            const _: () = ::core::assert!(__p::same_tag(<#ty as ::matrix_uia::SpecType>::TAG, #tag), #message);
        }
    });

    let schema_impl = super::json_schema_impl(
        ident,
        quote!(__p::any_of_schema(#name, #doc, __p::Vec::from([#(#schemas),*]))),
    );

    quote! {
        #[automatically_derived]
        impl __p::Serialize for #ident {
            fn serialize<S: __p::Serializer>(&self, serializer: S) -> __p::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        #[automatically_derived]
        impl<'de> __p::Deserialize<'de> for #ident {
            fn deserialize<D: __p::Deserializer<'de>>(deserializer: D) -> __p::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> __p::de::Visitor<'de> for Visitor {
                    type Value = #ident;

                    fn expecting(&self, f: &mut __p::fmt::Formatter<'_>) -> __p::fmt::Result {
                        f.write_str(#expecting)
                    }

                    fn visit_map<A: __p::de::MapAccess<'de>>(self, mut map: A) -> __p::Result<#ident, A::Error> {
                        // Keys before "type" are buffered; the rest stream into the variant.
                        let mut before = __p::Vec::new();
                        while let __p::Some(key) = __p::de::MapAccess::next_key::<__p::Key<'de>>(&mut map)? {
                            if &*key == "type" {
                                let tag: __p::Key<'de> = __p::de::MapAccess::next_value(&mut map)?;
                                return match &*tag {
                                    #(#dispatch_arms)*
                                    #other_arm
                                };
                            }
                            let value = __p::de::MapAccess::next_value::<__p::Content<'de>>(&mut map)?;
                            before.push((key, value));
                        }
                        #untagged
                    }
                }

                __p::Deserializer::deserialize_map(deserializer, Visitor)
            }
        }
        #[automatically_derived]
        impl ::matrix_uia::TaggedEnum for #ident {
            const VARIANTS: &'static [::matrix_uia::VariantInfo] = &[#(#infos),*];

            fn variant_index(&self) -> usize {
                match self { #(#index_arms)* }
            }

            fn type_tag(&self) -> __p::Option<&str> {
                #type_tag
            }

            fn session(&self) -> __p::Option<&str> {
                #session
            }
        }

        #schema_impl

        #(#tag_checks)*
    }
}
