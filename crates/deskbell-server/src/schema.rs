//! OpenAPI schemas for the domain's closed value sets. The domain crate stays free of web
//! dependencies, so the schemas are built here from each type's `ALL` list.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};

fn string_enum(values: impl Iterator<Item = &'static str>) -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).enum_values(Some(values)).build(),
    ))
}

macro_rules! enum_schemas {
    ($($fn_name:ident => $ty:ty),* $(,)?) => {
        $(pub fn $fn_name() -> RefOr<Schema> {
            string_enum(<$ty>::ALL.iter().map(|v| v.as_str()))
        })*
    };
}

enum_schemas! {
    status => deskbell_domain::ticket::Status,
    priority => deskbell_domain::ticket::Priority,
    kind => deskbell_domain::ticket::Kind,
    channel => deskbell_domain::ticket::Channel,
    role => deskbell_domain::person::Role,
    language => deskbell_domain::person::Language,
    article_kind => deskbell_domain::article::ArticleKind,
    call_direction => deskbell_domain::article::CallDirection,
    visibility => deskbell_domain::kb::Visibility,
    article_status => deskbell_domain::kb::ArticleStatus,
    registration_status => deskbell_domain::kb::RegistrationStatus,
}
