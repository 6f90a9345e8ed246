//! The vocabulary a subject uses to state its provider's facts.

use crate::recording::OwnedWebhook;
use callproof_core::provider::{EventKind, ProviderCallStatus};

/// What an [`super::OpCase`] must become.
#[derive(Debug, Clone)]
pub enum Expected {
    /// This request, as the provider's server receives it.
    Request(ExpectedRequest),
    /// The adapter must refuse to build it (a `BuildError`), for this reason.
    CannotBuild {
        /// Why the provider cannot express it (shown in the table).
        why: &'static str,
    },
}

/// The parts of a request the provider cares about.
#[derive(Debug, Clone)]
pub struct ExpectedRequest {
    /// HTTP method.
    pub method: http::Method,
    /// Path exactly as received, percent-encoding included.
    pub path: String,
    /// Query parameters that must be present (decoded); others are allowed.
    pub query: Vec<(String, String)>,
    /// Headers that must be present with exactly these values (auth, content
    /// type, idempotency); others are allowed.
    pub headers: Vec<(&'static str, String)>,
    /// What the body must be.
    pub body: Body,
}

/// The expected body of a request.
#[derive(Debug, Clone)]
pub enum Body {
    /// No bytes at all.
    Empty,
    /// Anything (the provider ignores it).
    Any,
    /// A JSON document; keys are JSON pointers (`/call_id`).
    Json(Vec<Field>),
    /// `application/x-www-form-urlencoded`; keys are field names, which may repeat.
    Form(Vec<Field>),
}

/// One expectation on one body field.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON pointer or form field name.
    pub key: String,
    /// What it must hold.
    pub expect: FieldExpect,
}

/// How a field is checked. JSON scalars compare by their text (`600`, `true`);
/// a repeated form field passes if any of its values does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldExpect {
    /// Exactly this text.
    Equals(String),
    /// Text containing this (e.g. a callback URL carrying `callId=`).
    Contains(String),
    /// JSON `null`.
    Null,
    /// Not present at all.
    Absent,
}

impl Field {
    /// `key` must be exactly `value`.
    pub fn eq(key: &str, value: impl ToString) -> Field {
        Field {
            key: key.to_owned(),
            expect: FieldExpect::Equals(value.to_string()),
        }
    }
    /// `key` must contain `part`.
    pub fn contains(key: &str, part: impl ToString) -> Field {
        Field {
            key: key.to_owned(),
            expect: FieldExpect::Contains(part.to_string()),
        }
    }
    /// `key` must be JSON null.
    pub fn null(key: &str) -> Field {
        Field {
            key: key.to_owned(),
            expect: FieldExpect::Null,
        }
    }
    /// `key` must not be there.
    pub fn absent(key: &str) -> Field {
        Field {
            key: key.to_owned(),
            expect: FieldExpect::Absent,
        }
    }
}

/// A provider response, as the provider's server would send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<&'static str>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// A JSON response.
    pub fn json(status: u16, body: serde_json::Value) -> CannedResponse {
        CannedResponse {
            status,
            content_type: Some("application/json"),
            body: body.to_string().into_bytes(),
        }
    }
    /// A response without a body.
    pub fn empty(status: u16) -> CannedResponse {
        CannedResponse {
            status,
            content_type: None,
            body: Vec::new(),
        }
    }
    /// A response with any body.
    pub fn raw(status: u16, content_type: &'static str, body: &str) -> CannedResponse {
        CannedResponse {
            status,
            content_type: Some(content_type),
            body: body.as_bytes().to_vec(),
        }
    }
    /// The `http::Response` an adapter parses.
    pub fn to_response(&self) -> Result<http::Response<Vec<u8>>, String> {
        let mut builder = http::Response::builder().status(self.status);
        if let Some(ct) = self.content_type {
            builder = builder.header(http::header::CONTENT_TYPE, ct);
        }
        builder.body(self.body.clone()).map_err(|e| e.to_string())
    }
}

/// The subject's answer for one op and one response class.
#[derive(Debug, Clone)]
pub enum Canned {
    /// The provider answers this.
    Respond(CannedResponse),
    /// The class cannot happen for this op, for this reason (shown as a skip;
    /// refused for the classes every op must cover).
    NotApplicable(&'static str),
}

/// The kinds of answer a provider gives. The classification each must get is
/// fixed by the suite ([`ResponseClass::expected`]), not by the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResponseClass {
    /// The documented success answer.
    Success,
    /// The call does not exist or has already ended.
    NotFound,
    /// 429.
    RateLimited,
    /// 500.
    ServerError,
    /// 503.
    Unavailable,
    /// A 4xx validation error (bad number, bad parameter).
    Validation,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// A 2xx whose body cannot be read where the adapter needs it.
    UnreadableSuccess,
}

/// The classification a response class must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedClass {
    /// `Ok` with the subject's success outcome.
    Success,
    /// `ProviderError::NotFound`.
    NotFound,
    /// `ProviderError::Transient`.
    Transient,
    /// `ProviderError::Rejected` with the response's status.
    Rejected,
    /// `ProviderError::Unauthorized`.
    Unauthorized,
    /// `ProviderError::Malformed`.
    Malformed,
}

impl ResponseClass {
    /// Every class, in table order.
    pub const ALL: [ResponseClass; 9] = [
        ResponseClass::Success,
        ResponseClass::NotFound,
        ResponseClass::RateLimited,
        ResponseClass::ServerError,
        ResponseClass::Unavailable,
        ResponseClass::Validation,
        ResponseClass::Unauthorized,
        ResponseClass::Forbidden,
        ResponseClass::UnreadableSuccess,
    ];

    /// The name used in failure messages.
    pub fn name(self) -> &'static str {
        match self {
            ResponseClass::Success => "success",
            ResponseClass::NotFound => "not-found",
            ResponseClass::RateLimited => "rate-limited",
            ResponseClass::ServerError => "server-error",
            ResponseClass::Unavailable => "unavailable",
            ResponseClass::Validation => "validation",
            ResponseClass::Unauthorized => "unauthorized",
            ResponseClass::Forbidden => "forbidden",
            ResponseClass::UnreadableSuccess => "unreadable-success",
        }
    }

    /// The manager's rules, the same for every provider.
    pub fn expected(self) -> ExpectedClass {
        match self {
            ResponseClass::Success => ExpectedClass::Success,
            ResponseClass::NotFound => ExpectedClass::NotFound,
            ResponseClass::RateLimited
            | ResponseClass::ServerError
            | ResponseClass::Unavailable => ExpectedClass::Transient,
            ResponseClass::Validation => ExpectedClass::Rejected,
            ResponseClass::Unauthorized | ResponseClass::Forbidden => ExpectedClass::Unauthorized,
            ResponseClass::UnreadableSuccess => ExpectedClass::Malformed,
        }
    }
}

/// One line of the provider's status table: a status reply and what it means.
#[derive(Debug, Clone)]
pub struct StatusRow {
    /// The provider's word for it (for messages).
    pub raw: &'static str,
    /// The reply to a status request that reports it.
    pub response: CannedResponse,
    /// What the adapter must make of it.
    pub expected: ProviderCallStatus,
}

/// One line of the provider's webhook status table.
#[derive(Debug, Clone)]
pub struct WebhookStatusRow {
    /// The provider's word for it.
    pub raw: &'static str,
    /// The event kind it must produce.
    pub expected: EventKind,
}

/// A published signature test vector (or, for the mock, one computed
/// independently of the adapter).
#[derive(Debug, Clone)]
pub struct SignatureVector<A> {
    /// Short name for messages.
    pub name: &'static str,
    /// Where it comes from (SDK test file, documentation page).
    pub source: &'static str,
    /// An adapter configured with the vector's secret or public key.
    pub adapter: A,
    /// The signed request.
    pub webhook: OwnedWebhook,
    /// The clock to verify at, Unix seconds.
    pub now_unix_secs: i64,
    /// Whether the vector is published as valid.
    pub valid: bool,
}

/// How a provider signs, so the suite can forge the negative cases.
#[derive(Debug, Clone)]
pub struct SignatureScheme {
    /// Headers carrying signature material, the signature itself first.
    pub signature_headers: Vec<&'static str>,
    /// The signed-timestamp header and its tolerance, if the scheme has one.
    pub timestamp: Option<TimestampRule>,
    /// Whether the URL is covered by the signature.
    pub covers_url: bool,
}

/// A signed timestamp: the header holding Unix seconds and the allowed skew.
#[derive(Debug, Clone, Copy)]
pub struct TimestampRule {
    /// Header name.
    pub header: &'static str,
    /// Allowed distance from `now` either way, seconds.
    pub tolerance_secs: i64,
}

/// A published request schema to validate built requests against: the hook
/// for OpenAPI validation. JSON bodies are validated as they are; form bodies
/// as an object of string values (arrays for repeated fields).
#[derive(Debug, Clone)]
pub struct SchemaCheck {
    /// Short name for messages.
    pub name: &'static str,
    /// Where the schema comes from (document, commit, JSON pointer).
    pub source: &'static str,
    /// The operation whose request body it describes.
    pub case: super::OpCase,
    /// The JSON Schema of the request body.
    pub schema: serde_json::Value,
}
