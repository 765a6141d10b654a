//! [`StandardError`] and [`ErrorKind`]: the spec's standard error format.

use matrix_uia_derive::Uia;

use super::string_enum::string_enum;
use crate::JsonObject;

string_enum! {
    /// The `errcode` of a standard error: every code the spec defines, and any
    /// other (`COM.EXAMPLE_CODE`, `M_EXAMPLE_ERROR`) kept verbatim.
    ///
    /// Spec: [Common error codes](https://spec.matrix.org/latest/client-server-api/#common-error-codes).
    pub enum ErrorKind {
        /// `M_FORBIDDEN`: forbidden access, e.g. a wrong password in a UIA stage.
        Forbidden = "M_FORBIDDEN",
        /// `M_UNKNOWN_TOKEN`: the access token is not recognised.
        UnknownToken = "M_UNKNOWN_TOKEN",
        /// `M_MISSING_TOKEN`: no access token was given.
        MissingToken = "M_MISSING_TOKEN",
        /// `M_USER_LOCKED`: the account is locked.
        UserLocked = "M_USER_LOCKED",
        /// `M_USER_SUSPENDED`: the account is suspended.
        UserSuspended = "M_USER_SUSPENDED",
        /// `M_BAD_JSON`: the request body is malformed JSON for this endpoint.
        BadJson = "M_BAD_JSON",
        /// `M_NOT_JSON`: the request body is not JSON.
        NotJson = "M_NOT_JSON",
        /// `M_NOT_FOUND`: no resource was found.
        NotFound = "M_NOT_FOUND",
        /// `M_LIMIT_EXCEEDED`: too many requests.
        LimitExceeded = "M_LIMIT_EXCEEDED",
        /// `M_UNRECOGNIZED`: the server did not understand the request.
        Unrecognized = "M_UNRECOGNIZED",
        /// `M_UNKNOWN`: an unknown error.
        Unknown = "M_UNKNOWN",
        /// `M_UNAUTHORIZED`: the request was not correctly authorized (e.g. an invalid registration token).
        Unauthorized = "M_UNAUTHORIZED",
        /// `M_USER_DEACTIVATED`: the user is deactivated.
        UserDeactivated = "M_USER_DEACTIVATED",
        /// `M_USER_IN_USE`: the user id is taken.
        UserInUse = "M_USER_IN_USE",
        /// `M_INVALID_USERNAME`: the user id is not valid.
        InvalidUsername = "M_INVALID_USERNAME",
        /// `M_ROOM_IN_USE`: the room alias is taken.
        RoomInUse = "M_ROOM_IN_USE",
        /// `M_INVALID_ROOM_STATE`: the initial room state is invalid.
        InvalidRoomState = "M_INVALID_ROOM_STATE",
        /// `M_THREEPID_IN_USE`: the third-party identifier is in use.
        ThreepidInUse = "M_THREEPID_IN_USE",
        /// `M_THREEPID_NOT_FOUND`: the third-party identifier is unknown.
        ThreepidNotFound = "M_THREEPID_NOT_FOUND",
        /// `M_THREEPID_AUTH_FAILED`: the third-party identifier could not be validated.
        ThreepidAuthFailed = "M_THREEPID_AUTH_FAILED",
        /// `M_THREEPID_DENIED`: the server does not allow this third-party identifier.
        ThreepidDenied = "M_THREEPID_DENIED",
        /// `M_THREEPID_MEDIUM_NOT_SUPPORTED`: the medium is not supported.
        ThreepidMediumNotSupported = "M_THREEPID_MEDIUM_NOT_SUPPORTED",
        /// `M_SERVER_NOT_TRUSTED`: an untrusted identity server.
        ServerNotTrusted = "M_SERVER_NOT_TRUSTED",
        /// `M_UNSUPPORTED_ROOM_VERSION`: the room version is not supported.
        UnsupportedRoomVersion = "M_UNSUPPORTED_ROOM_VERSION",
        /// `M_INCOMPATIBLE_ROOM_VERSION`: the room version is incompatible.
        IncompatibleRoomVersion = "M_INCOMPATIBLE_ROOM_VERSION",
        /// `M_BAD_STATE`: the request cannot be done in the current state.
        BadState = "M_BAD_STATE",
        /// `M_GUEST_ACCESS_FORBIDDEN`: guests may not do this.
        GuestAccessForbidden = "M_GUEST_ACCESS_FORBIDDEN",
        /// `M_CAPTCHA_NEEDED`: a captcha must be completed.
        CaptchaNeeded = "M_CAPTCHA_NEEDED",
        /// `M_CAPTCHA_INVALID`: the captcha response was wrong.
        CaptchaInvalid = "M_CAPTCHA_INVALID",
        /// `M_MISSING_PARAM`: a required parameter is missing.
        MissingParam = "M_MISSING_PARAM",
        /// `M_INVALID_PARAM`: a parameter has a wrong value.
        InvalidParam = "M_INVALID_PARAM",
        /// `M_TOO_LARGE`: the request or entity is too large.
        TooLarge = "M_TOO_LARGE",
        /// `M_EXCLUSIVE`: the resource is reserved by an application service.
        Exclusive = "M_EXCLUSIVE",
        /// `M_RESOURCE_LIMIT_EXCEEDED`: the server has hit a resource limit.
        ResourceLimitExceeded = "M_RESOURCE_LIMIT_EXCEEDED",
        /// `M_CANNOT_LEAVE_SERVER_NOTICE_ROOM`: the server notices room cannot be left.
        CannotLeaveServerNoticeRoom = "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM",
        /// `M_WEAK_PASSWORD`: the password is too weak.
        WeakPassword = "M_WEAK_PASSWORD",
        /// `M_USER_LIMIT_EXCEEDED`: a per-user limit is exceeded.
        UserLimitExceeded = "M_USER_LIMIT_EXCEEDED",
        /// `M_UNKNOWN_DEVICE`: the device is unknown.
        UnknownDevice = "M_UNKNOWN_DEVICE",
        /// `M_BAD_PAGINATION`: a pagination token is invalid (early spec).
        BadPagination = "M_BAD_PAGINATION",
    }
}

/// The standard error format: `{"errcode": …, "error": …}`, the keys the
/// spec defines for some codes, and any other keys.
///
/// In a UIA 401 body it is the error of a stage that failed but may be
/// retried ([`crate::UiaaInfo::auth_error`]).
///
/// The code-specific keys are typed, as Ruma types them: a value of another
/// type than the spec's (`"soft_logout": "yes"`) is an error naming the key,
/// not kept.
///
/// Spec: [Standard error response](https://spec.matrix.org/latest/client-server-api/#standard-error-response).
#[derive(Clone, PartialEq, Uia)]
#[non_exhaustive]
#[uia(section = "Standard error response", section = "API Standards")]
#[uia(spec = "https://spec.matrix.org/latest/client-server-api/#standard-error-response")]
pub struct StandardError {
    /// A code for the error, e.g. `M_FORBIDDEN`.
    pub errcode: ErrorKind,
    /// A human-readable message. The spec requires it; a server that leaves it
    /// out is still understood, and nothing is added on the way back.
    pub error: Option<String>,
    /// `M_LIMIT_EXCEEDED`: how long to wait before trying again, in
    /// milliseconds (deprecated since v1.10 for the `Retry-After` header,
    /// and still sent). Spec: [Rate limiting](https://spec.matrix.org/latest/client-server-api/#rate-limiting).
    pub retry_after_ms: Option<u64>,
    /// `M_UNKNOWN_TOKEN`: whether the client may keep its data and log in
    /// again. Spec: [Soft logout](https://spec.matrix.org/latest/client-server-api/#soft-logout).
    pub soft_logout: Option<bool>,
    /// `M_RESOURCE_LIMIT_EXCEEDED`: where to reach the server's administrator.
    pub admin_contact: Option<String>,
    /// `M_USER_LIMIT_EXCEEDED`: a page about the limit the user reached and
    /// how to raise it.
    pub info_uri: Option<String>,
    /// `M_USER_LIMIT_EXCEEDED`: whether the limit can be raised (absent means no).
    pub can_upgrade: Option<bool>,
    /// `M_INCOMPATIBLE_ROOM_VERSION`: the room's version.
    pub room_version: Option<String>,
    /// Keys the spec does not define, kept.
    #[uia(extra)]
    pub extra: JsonObject,
}

impl StandardError {
    /// An error with a code and a message.
    pub fn new(errcode: ErrorKind, error: impl Into<String>) -> Self {
        StandardError {
            errcode,
            error: Some(error.into()),
            retry_after_ms: None,
            soft_logout: None,
            admin_contact: None,
            info_uri: None,
            can_upgrade: None,
            room_version: None,
            extra: JsonObject::new(),
        }
    }
}

impl std::fmt::Display for StandardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            Some(error) => write!(f, "{}: {error}", self.errcode),
            None => write!(f, "{}", self.errcode),
        }
    }
}

impl std::error::Error for StandardError {}
