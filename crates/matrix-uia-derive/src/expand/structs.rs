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

    // Builder slots: a field seen or not; flattened keys buffered until the end.
    // A flattened group has two slots: its keys buffered as values (serde),
    // and its own builder (the direct reader, which hands a group that turns
    // out incomplete over to serde rather than move its keys to `extra`).
    let slots = fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        if f.attrs.flatten {
            let (direct, inner) = (direct_slot(name), f.optional);
            quote!(#name: __p::Vec<(&'static str, __p::serde_json::Value)>, #direct: __p::Option<<#inner as __p::Fields>::Builder>)
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
        quote! {
            #key => {
                if self.#name.is_some() {
                    return __p::Err(__p::de::Error::duplicate_field(#key));
                }
                self.#name = __p::Some(source.value()?);
            }
        }
    });
    let flat_arms = flat.iter().map(|f| {
        let (name, inner) = (f.ident, f.optional);
        quote! {
            if let __p::Some(k) = <#inner as __p::Fields>::known_key(&key) {
                return __p::buffer_flattened(&mut self.#name, k, source);
            }
        }
    });
    // The same arms for the direct reader, where `None` hands over to serde_json.
    let tag_arm_direct = tag.as_ref().map(|tag| {
        quote! {
            "type" => {
                if self.__tag || reader.str()? != #tag {
                    return __p::None;
                }
                self.__tag = true;
            }
        }
    });
    let field_arms_direct = plain.iter().map(|f| {
        let (name, key, ty) = (f.ident, &f.key, f.ty);
        quote! {
            #key => {
                if self.#name.is_some() {
                    return __p::None;
                }
                self.#name = __p::Some((&__p::Via::<#ty>::new()).read(reader)?);
            }
        }
    });
    let flat_arms_direct = flat.iter().map(|f| {
        let (direct, inner) = (direct_slot(f.ident), f.optional);
        quote! {
            if <#inner as __p::Fields>::is_known(key) {
                let builder = self.#direct.get_or_insert_with(__p::Default::default);
                return __p::Builder::accept_direct(builder, key, reader);
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
        let (name, inner, direct) = (f.ident, f.optional, direct_slot(f.ident));
        quote! {
            let #name = match self.#direct {
                __p::Some(builder) => __p::Some(__p::Builder::finish::<E>(builder)?),
                __p::None => __p::flattened::<#inner, _, E>(self.#name, &mut self.#extra)?,
            };
        }
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

    let write_tag_direct = tag.as_ref().map(|tag| {
        let literal = format!("{}:{}", super::json_string("type"), super::json_string(tag));
        quote!(writer.literal_key(#literal);)
    });
    let write_fields_direct = fields.iter().map(|f| {
        let (name, ty) = (f.ident, f.ty);
        let literal = format!("{}:", super::json_string(&f.key));
        if f.attrs.flatten {
            quote! {
                if let __p::Some(value) = &self.#name {
                    __p::Fields::write_fields(value, writer, false);
                }
            }
        } else if let Some(inner) = f.optional {
            quote! {
                if let __p::Some(value) = &self.#name {
                    writer.literal_key(#literal);
                    (&__p::Via::<#inner>::new()).write(value, writer);
                }
            }
        } else {
            quote! {
                writer.literal_key(#literal);
                (&__p::Via::<#ty>::new()).write(&self.#name, writer);
            }
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

    let schema = schema(container, data, tag.as_deref());
    let debug = debug(container, data);

    quote! {
        #[doc(hidden)]
        #[derive(Default)]
        pub struct #builder {
            __tag: bool,
            #(#slots,)*
            #extra: #extra_ty,
        }

        #[automatically_derived]
        impl __p::Builder<#ident> for #builder {
            fn tag_read(&mut self) {
                self.__tag = true;
            }

            fn accept<'de, S: __p::Source<'de>>(
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

            fn accept_direct<'a>(&mut self, key: &'a str, reader: &mut __p::Reader<'a>) -> __p::Option<()> {
                #[allow(unused_imports)]
                use __p::{ViaJson as _, ViaSerde as _};
                match key {
                    #tag_arm_direct
                    #(#field_arms_direct)*
                    _ => {
                        #(#flat_arms_direct)*
                        __p::ExtraMap::insert_direct(&mut self.#extra, key, reader)?
                    }
                }
                __p::Some(())
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
            type Builder = #builder;

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

            fn write_fields(&self, writer: &mut __p::Writer, with_extra: bool) {
                #[allow(unused_imports)]
                use __p::{ViaJson as _, ViaSerde as _};
                #write_tag_direct
                #(#write_fields_direct)*
                if with_extra {
                    __p::ExtraMap::write_into(&self.#extra, writer, &|key| __p::Fields::writes_key(self, key));
                }
            }

            fn writes_key(&self, key: &str) -> bool {
                matches!(key, #(#own_keys)|*) #(#flat_written)*
            }
        }

        #[automatically_derived]
        impl __p::Json for #ident {
            fn read_json(reader: &mut __p::Reader<'_>) -> __p::Option<Self> {
                __p::read_struct(reader)
            }

            fn write_json(&self, writer: &mut __p::Writer) {
                __p::write_struct(self, writer)
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
    }
}

/// The builder slot of a flattened group for the direct reader.
fn direct_slot(name: &syn::Ident) -> syn::Ident {
    format_ident!("__direct_{}", name)
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
