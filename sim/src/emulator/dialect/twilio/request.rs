//! What Twilio accepts: the three Calls operations the adapter uses (OAS
//! CreateCall, FetchCall, UpdateCall) under HTTP Basic auth.
//!
//! Error codes: 401/20003 and 404/20404 are Twilio's observed answers (the
//! 20404 body as logged in pipecat-ai/pipecat issue #2145). The create
//! validation codes (21201 no `To`, 21213 no `From`, 21205 no call logic) are
//! recalled from Twilio's error catalogue, not verified. No source at hand
//! gives a code for an unreadable form or a parameter of the wrong type; those
//! answer 400 with 20001 and a message saying what was wrong.

use super::{form, resource, ACCOUNT_SID, API_VERSION, AUTH_TOKEN};
use crate::emulator::dialect::{ApiCall, CreateParams, IdRef};
use base64::Engine as _;

/// Twilio's refusal of a request, rendered as its error body by
/// [`Refusal::into_response`] at the edge.
#[derive(Debug)]
pub(super) struct Refusal {
    status: u16,
    code: u32,
    message: String,
}

impl Refusal {
    fn new(status: u16, code: u32, message: &str) -> Refusal {
        Refusal {
            status,
            code,
            message: message.to_owned(),
        }
    }

    pub(super) fn into_response(self) -> http::Response<Vec<u8>> {
        resource::error(self.status, self.code, &self.message)
    }
}

/// Twilio's ring timeout ceiling (OAS: "the maximum is `600` seconds").
const MAX_RING_TIMEOUT_SECS: u32 = 600;

/// Twilio's ring timeout when the create names none (OAS: default 60).
const DEFAULT_RING_TIMEOUT_SECS: u32 = 60;

/// A parameter the emulator cannot read (see the module notes).
const INVALID_PARAMETER: u32 = 20001;

pub(super) fn parse(request: &http::Request<Vec<u8>>) -> Result<ApiCall, Refusal> {
    if !authenticated(request.headers()) {
        return Err(Refusal::new(401, 20003, "Authenticate"));
    }
    let path = request.uri().path();
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let not_found = || {
        Refusal::new(
            404,
            20404,
            &format!("The requested resource {path} was not found"),
        )
    };
    let (account, rest) = match segments.as_slice() {
        [API_VERSION, "Accounts", account, rest @ ..] => (*account, rest),
        _ => return Err(not_found()),
    };
    // Credentials for one account do not open another's path (assumed to be
    // refused as unauthenticated; not verified).
    if account.strip_suffix(".json").unwrap_or(account) != ACCOUNT_SID {
        return Err(Refusal::new(401, 20003, "Authenticate"));
    }
    let method = request.method();
    match rest {
        ["Calls.json"] if method == http::Method::POST => create(&fields(request)?),
        ["Calls", file] => {
            let sid = file
                .strip_suffix(".json")
                .filter(|sid| !sid.is_empty())
                .ok_or_else(not_found)?;
            let id = IdRef::Call(sid.to_owned());
            match *method {
                http::Method::GET => Ok(ApiCall::Status(id)),
                http::Method::POST => update(&fields(request)?, id),
                _ => Err(not_found()),
            }
        }
        _ => Err(not_found()),
    }
}

/// Basic `AccountSid:AuthToken`, and nothing else.
fn authenticated(headers: &http::HeaderMap) -> bool {
    let Some(encoded) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{ACCOUNT_SID}:{AUTH_TOKEN}").as_bytes()
}

/// The form parameters of a POST. A body that is not a form carries no
/// parameters (Twilio reads only forms), so the request then fails its
/// required-parameter checks; a form that cannot be decoded is a 400.
fn fields(request: &http::Request<Vec<u8>>) -> Result<Vec<(String, String)>, Refusal> {
    let is_form = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Ok(Vec::new());
    }
    form::decode(request.body()).ok_or_else(|| {
        Refusal::new(
            400,
            INVALID_PARAMETER,
            "The request body is not a readable form: its escapes are not UTF-8",
        )
    })
}

fn create(fields: &[(String, String)]) -> Result<ApiCall, Refusal> {
    let field = |name: &str| form::first(fields, name).filter(|v| !v.is_empty());
    let to = field("To").ok_or_else(|| Refusal::new(400, 21201, "No 'To' number is specified"))?;
    let from =
        field("From").ok_or_else(|| Refusal::new(400, 21213, "No 'From' number is specified"))?;
    let url = field("Url");
    if url.is_none() && field("Twiml").is_none() && field("ApplicationSid").is_none() {
        return Err(Refusal::new(
            400,
            21205,
            "Either Url, Twiml or ApplicationSid is required",
        ));
    }
    let ring_timeout = seconds(field("Timeout"), "Timeout")?
        .unwrap_or(DEFAULT_RING_TIMEOUT_SECS)
        .min(MAX_RING_TIMEOUT_SECS);
    let time_limit = seconds(field("TimeLimit"), "TimeLimit")?;
    // Callbacks go to the StatusCallback; a create without one is only heard
    // from through its Url (the call-logic requests).
    let webhook_url = field("StatusCallback").or(url).unwrap_or_default();
    let call_id = [field("StatusCallback"), url]
        .into_iter()
        .flatten()
        .find_map(|u| {
            form::first(&form::query_of(u), "callId")
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
        });
    Ok(ApiCall::Create(CreateParams {
        call_id,
        from: from.to_owned(),
        to: to.to_owned(),
        webhook_url: webhook_url.to_owned(),
        time_limit_secs: time_limit,
        ring_timeout_secs: Some(ring_timeout),
    }))
}

/// UpdateCall. `Status` (hang up) wins over new call logic. New TwiML is read
/// for what it does: a `<Gather>` listens, a `<Say>` speaks, anything else
/// (the bare hold) stops listening. A new `Url` also replaces the call's
/// logic, ending any `<Gather>`: it is read as stop listening.
fn update(fields: &[(String, String)], id: IdRef) -> Result<ApiCall, Refusal> {
    let field = |name: &str| form::first(fields, name).filter(|v| !v.is_empty());
    if let Some(status) = field("Status") {
        return match status {
            "completed" | "canceled" => Ok(ApiCall::Hangup(id)),
            other => Err(Refusal::new(
                400,
                INVALID_PARAMETER,
                &format!("Status must be canceled or completed, not {other:?}"),
            )),
        };
    }
    match (field("Twiml"), field("Url")) {
        (Some(_), Some(_)) => Err(Refusal::new(
            400,
            INVALID_PARAMETER,
            "Twiml and Url are mutually exclusive",
        )),
        (Some(twiml), None) if twiml.contains("<Gather") => Ok(ApiCall::StartListening(id)),
        (Some(twiml), None) if twiml.contains("<Say") => Ok(ApiCall::Speak(id)),
        (Some(_), None) | (None, Some(_)) => Ok(ApiCall::StopListening(id)),
        (None, None) => Err(Refusal::new(
            400,
            INVALID_PARAMETER,
            "An update needs Status, Twiml or Url",
        )),
    }
}

/// Where the callee's answer goes: the `action` of the `<Gather>` in the
/// TwiML of an UpdateCall, its XML escapes undone. `None` for any other
/// request, and for a `<Gather>` without an action (Twilio would then post
/// to the document's own URL, which an inline `Twiml` does not have).
pub(super) fn speech_url(request: &http::Request<Vec<u8>>) -> Option<String> {
    let fields = form::decode(request.body())?;
    let twiml = form::first(&fields, "Twiml")?;
    let gather = &twiml[twiml.find("<Gather")?..];
    let gather = &gather[..gather.find('>')?];
    let start = gather.find("action=\"")? + "action=\"".len();
    let value = &gather[start..];
    let value = &value[..value.find('"')?];
    Some(
        value
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// A whole number of seconds, if the parameter was sent.
fn seconds(raw: Option<&str>, name: &str) -> Result<Option<u32>, Refusal> {
    raw.map(|text| {
        text.parse::<u32>().map_err(|_| {
            Refusal::new(
                400,
                INVALID_PARAMETER,
                &format!("{name} must be a whole number of seconds, not {text:?}"),
            )
        })
    })
    .transpose()
}
