//! A struct: its builder (the one-pass deserializer), serializer, schema and `Debug`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::internals::ast::{Container, Field, Struct};

pub fn expand(container: &Container<'_>, data: &Struct<'_>) -> TokenStream {
    let ident = container.ident;
    let builder = format_ident!("__UiaBuilder{}", ident);
    let tag = container.attrs.tag.as_ref().map(|t| t.value.value());
    let extra = data.extra;
    let fields = &data.fields;
    let plain: Vec<&Field<'_>> = fields.iter().filter(|f| !f.attrs.flatten).collect();
    let flat: Vec<&Field<'_>> = fields.iter().filter(|f| f.attrs.flatten).collect();

    // Builder slots: a field seen or not; flattened keys buffered until the
    // end, when it is known whether the group is complete.
    let slots = fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        if f.attrs.flatten {
            let inner = f.optional;
            quote!(#name: __p::Flattened<'de, #inner>)
        } else {
            quote!(#name: __p::Option<#ty>)
        }
    });
    let extra_ty = data.extra_ty;

    let tag_arm = tag.as_ref().map(|tag| {
        quote! {
            "type" => {
                if self.__tag {
                    return __p::Err(__p::de::Error::duplicate_field("type"));
                }
                let found: __p::Key<'de> = source.value()?;
                if &*found != #tag {
                    return __p::Err(__p::tag_mismatch(#tag, &found));
                }
                self.__tag = true;
            }
        }
    });
    let field_arms = plain.iter().map(|f| {
        let (name, key) = (f.ident, &f.key);
        // A map the spec types is read with the one duplicate-key policy.
        let read = match map_value(f.optional.unwrap_or(f.ty)) {
            Some(value) => quote!(source.value::<__p::UniqueMap<#value>>()?.0),
            None => quote!(source.value()?),
        };
        quote! {
            #key => {
                if self.#name.is_some() {
                    return __p::Err(__p::de::Error::duplicate_field(#key));
                }
                self.#name = __p::Some(#read);
            }
        }
    });
    let flat_arms = flat.iter().map(|f| {
        let (name, inner) = (f.ident, f.optional);
        quote! {
            if let __p::Some(k) = <#inner as __p::Fields>::known_key(&key) {
                return self.#name.accept(k, source);
            }
        }
    });
    let check_tag = tag.as_ref().map(|_| {
        quote! {
            if !self.__tag {
                return __p::Err(__p::de::Error::missing_field("type"));
            }
        }
    });
    let take_flat = flat.iter().map(|f| {
        let (name, inner) = (f.ident, f.optional);
        quote!(let #name = __p::Flattened::<#inner>::finish::<_, E>(self.#name, &mut self.#extra)?;)
    });
    let assign = fields.iter().map(|f| {
        let (name, key) = (f.ident, &f.key);
        if f.attrs.flatten {
            quote!(#name)
        } else if f.optional.is_some() {
            quote!(#name: self.#name.unwrap_or_default())
        } else {
            quote!(#name: self.#name.ok_or_else(|| __p::de::Error::missing_field(#key))?)
        }
    });

    let write_tag =
        tag.as_ref().map(|tag| quote!(__p::ser::SerializeMap::serialize_entry(map, "type", #tag)?;));
    let write_fields = fields.iter().map(|f| {
        let (name, key) = (f.ident, &f.key);
        if f.attrs.flatten {
            quote! {
                if let __p::Some(value) = &self.#name {
                    __p::Fields::serialize_fields(value, map, false)?;
                }
            }
        } else if f.optional.is_some() {
            quote! {
                if let __p::Some(value) = &self.#name {
                    __p::ser::SerializeMap::serialize_entry(map, #key, value)?;
                }
            }
        } else {
            quote!(__p::ser::SerializeMap::serialize_entry(map, #key, &self.#name)?;)
        }
    });

    // The tag's key is `"type"`; its value is no key of the struct's.
    let tag_key = tag.as_ref().map(|_| "type");
    let own_keys: Vec<&str> = plain.iter().map(|f| f.key.as_str()).chain(tag_key).collect();
    let flat_known = flat.iter().map(|f| {
        let inner = f.optional;
        quote!(.or_else(|| <#inner as __p::Fields>::known_key(key)))
    });
    // Keys the struct writes itself: its own, and a flattened group's when present.
    let flat_written = flat.iter().map(|f| {
        let (name, inner) = (f.ident, f.optional);
        quote!(|| (self.#name.is_some() && <#inner as __p::Fields>::is_known(key)))
    });
    let required: Vec<&str> =
        plain.iter().filter(|f| f.optional.is_none()).map(|f| f.key.as_str()).chain(tag_key).collect();
    // A struct of unknown keys alone (`{}`) writes none of its own.
    let writes_own = if own_keys.is_empty() { quote!(false) } else { quote!(matches!(key, #(#own_keys)|*)) };

    // The value of "type": the declared tag, or the field that keeps it.
    let type_tag = match (&tag, plain.iter().find(|f| f.key == "type")) {
        (Some(tag), _) => quote!(__p::Some(#tag)),
        (None, Some(field)) => {
            let name = field.ident;
            quote!(__p::Some(&self.#name))
        }
        (None, None) => quote!(__p::None),
    };
    let session = match plain.iter().find(|f| f.key == "session") {
        Some(field) => {
            let name = field.ident;
            quote!(__p::AsSession::as_session(&self.#name))
        }
        None => quote!(__p::None),
    };

    let schema = schema(container, data, tag.as_deref());
    let debug = debug(container, data);
    let constructor = constructor(container, data, tag.is_some());

    quote! {
        #[doc(hidden)]
        #[derive(Default)]
        pub struct #builder<'de> {
            __tag: bool,
            #(#slots,)*
            #extra: #extra_ty,
            __input: __p::PhantomData<&'de ()>,
        }

        #[automatically_derived]
        impl<'de> __p::Builder<'de, #ident> for #builder<'de> {
            fn tag_read(&mut self) {
                self.__tag = true;
            }

            fn accept<S: __p::Source<'de>>(
                &mut self,
                key: __p::Key<'de>,
                source: &mut S,
            ) -> __p::Result<(), S::Error> {
                match &*key {
                    #tag_arm
                    #(#field_arms)*
                    _ => {
                        #(#flat_arms)*
                        __p::ExtraMap::insert_from(&mut self.#extra, key, source)?
                    }
                }
                __p::Ok(())
            }

            fn finish<E: __p::de::Error>(mut self) -> __p::Result<#ident, E> {
                #check_tag
                #(#take_flat)*
                __p::Ok(#ident { #(#assign,)* #extra: self.#extra })
            }
        }

        #[automatically_derived]
        impl __p::Fields for #ident {
            const REQUIRED: &'static [&'static str] = &[#(#required),*];
            type Builder<'de> = #builder<'de>;

            fn known_key(key: &str) -> __p::Option<&'static str> {
                match key {
                    #(#own_keys => __p::Some(#own_keys),)*
                    _ => __p::None #(#flat_known)*,
                }
            }

            fn serialize_fields<M: __p::ser::SerializeMap>(
                &self,
                map: &mut M,
                with_extra: bool,
            ) -> __p::Result<(), M::Error> {
                #write_tag
                #(#write_fields)*
                if !with_extra {
                    return __p::Ok(());
                }
                __p::ExtraMap::serialize_into(&self.#extra, map, &|key| __p::Fields::writes_key(self, key))
            }

            fn writes_key(&self, key: &str) -> bool {
                #writes_own #(#flat_written)*
            }

            fn type_tag(&self) -> __p::Option<&str> {
                #type_tag
            }

            fn session(&self) -> __p::Option<&str> {
                #session
            }
        }

        #[automatically_derived]
        impl __p::Serialize for #ident {
            fn serialize<S: __p::Serializer>(&self, serializer: S) -> __p::Result<S::Ok, S::Error> {
                __p::serialize_struct(self, serializer)
            }
        }

        #[automatically_derived]
        impl<'de> __p::Deserialize<'de> for #ident {
            fn deserialize<D: __p::Deserializer<'de>>(deserializer: D) -> __p::Result<Self, D::Error> {
                __p::deserialize_struct(deserializer)
            }
        }

        #schema
        #debug
        #constructor
    }
}

/// `V` of a field typed `BTreeMap<String, V>` (by its last path segment, as
/// serde_derive recognises `Option`).
fn map_value(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    if segment.ident != "BTreeMap" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else { return None };
    match (args.args.first()?, args.args.get(1)?) {
        (syn::GenericArgument::Type(_), syn::GenericArgument::Type(value)) => Some(value),
        _ => None,
    }
}

/// `new` for a struct marked `#[uia(new)]`: its required fields (each as
/// anything `Into` the field's type) and, for an auth dict, its `session`;
/// every optional field `None` and no unknown keys. The model's structs are
/// `#[non_exhaustive]`, so outside the crate this is how they are made.
fn constructor(container: &Container<'_>, data: &Struct<'_>, tagged: bool) -> Option<TokenStream> {
    if !container.attrs.new {
        return None;
    }
    let ident = container.ident;
    let takes = |f: &&Field<'_>| !f.attrs.flatten && (f.optional.is_none() || (tagged && f.key == "session"));
    // An `Option` is taken as it is, so that `None` needs no annotation.
    let params = data.fields.iter().filter(takes).map(|f| {
        let (name, ty) = (f.ident, f.ty);
        if f.optional.is_some() { quote!(#name: #ty) } else { quote!(#name: impl __p::Into<#ty>) }
    });
    let values = data.fields.iter().map(|f| {
        let name = f.ident;
        if takes(&f) { quote!(#name: #name.into()) } else { quote!(#name: __p::None) }
    });
    let extra = data.extra;
    let doc = format!("A [`{ident}`] with the given fields, no other optional field and no unknown keys.");
    Some(quote! {
        #[automatically_derived]
        impl #ident {
            #[doc = #doc]
            #[allow(clippy::new_without_default, clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                #ident { #(#values,)* #extra: __p::Default::default() }
            }
        }
    })
}

fn schema(container: &Container<'_>, data: &Struct<'_>, tag: Option<&str>) -> TokenStream {
    let ident = container.ident;
    let name = ident.to_string();
    let doc = &container.doc;
    let tag_property = tag.map(|tag| quote!(properties.insert("type".into(), __p::tag_schema(#tag));));
    let properties = data.fields.iter().map(|f| {
        let ty = f.optional.unwrap_or(f.ty);
        let (key, doc) = (&f.key, &f.doc);
        if f.attrs.flatten {
            quote!(__p::merge_properties(&mut properties, generator.subschema_for::<#ty>(), generator);)
        } else {
            quote!(properties.insert(#key.into(), __p::field_schema(generator.subschema_for::<#ty>(), #doc));)
        }
    });
    let tag_key = tag.map(|_| "type");
    let required = tag_key.into_iter().chain(
        data.fields.iter().filter(|f| f.optional.is_none() && !f.attrs.flatten).map(|f| f.key.as_str()),
    );
    let extra_ty = data.extra_ty;
    super::json_schema_impl(
        ident,
        quote! {
            let mut properties = __p::serde_json::Map::new();
            #tag_property
            #(#properties)*
            __p::object_schema(
                #name,
                #doc,
                properties,
                &[#(#required),*],
                <#extra_ty as __p::ExtraMap>::additional_properties(generator),
            )
        },
    )
}

fn debug(container: &Container<'_>, data: &Struct<'_>) -> TokenStream {
    let ident = container.ident;
    let name = ident.to_string();
    let extra = data.extra;
    let extra_name = extra.to_string();
    let fields = data.fields.iter().map(|f| {
        let field = f.ident;
        let label = field.to_string();
        if f.attrs.secret {
            quote!(debug.field(#label, &__p::Redacted(&self.#field));)
        } else {
            quote!(debug.field(#label, &self.#field);)
        }
    });
    quote! {
        #[automatically_derived]
        impl __p::fmt::Debug for #ident {
            fn fmt(&self, f: &mut __p::fmt::Formatter<'_>) -> __p::fmt::Result {
                let mut debug = f.debug_struct(#name);
                #(#fields)*
                debug.field(#extra_name, &self.#extra);
                debug.finish()
            }
        }
    }
}
