//! What `TelnyxAdapter::new` accepts and refuses.

use super::{config, JAVA_PUBLIC, PHP_PUBLIC};
use crate::adapters::telnyx::{TelnyxAdapter, TelnyxConfig};
use crate::webhook::WebhookError;

fn refusal(config: TelnyxConfig) -> String {
    match TelnyxAdapter::new(config) {
        Err(WebhookError::Config { detail }) => detail,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn the_java_and_php_test_keys_are_accepted() {
    for key in [JAVA_PUBLIC, PHP_PUBLIC] {
        let config = TelnyxConfig {
            public_key_base64: key.to_owned(),
            ..config()
        };
        assert!(TelnyxAdapter::new(config).is_ok(), "{key}");
    }
}

#[test]
fn a_public_key_that_is_not_32_bytes_is_a_configuration_error() {
    let detail = refusal(TelnyxConfig {
        public_key_base64: "dGVzdA==".to_owned(),
        ..config()
    });
    assert!(detail.contains("4 bytes"), "{detail}");
}

#[test]
fn a_public_key_that_is_not_base64_is_a_configuration_error() {
    let detail = refusal(TelnyxConfig {
        public_key_base64: "not base64!".to_owned(),
        ..config()
    });
    assert!(detail.contains("base64"), "{detail}");
}

#[test]
fn a_small_order_public_key_is_refused_because_anyone_could_sign_for_it() {
    // The compressed identity point (y = 1): a valid encoding of a weak key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    use base64::Engine;
    let detail = refusal(TelnyxConfig {
        public_key_base64: base64::engine::general_purpose::STANDARD.encode(identity),
        ..config()
    });
    assert!(detail.contains("small-order"), "{detail}");
}

#[test]
fn a_negative_tolerance_is_a_configuration_error() {
    refusal(TelnyxConfig {
        tolerance_secs: -1,
        ..config()
    });
}

#[test]
fn an_api_base_that_is_not_an_http_url_is_a_configuration_error() {
    for base in [
        "",
        "api.telnyx.com",
        "ftp://api.telnyx.com",
        "https://api.telnyx.com/?x=1",
    ] {
        refusal(TelnyxConfig {
            api_base: base.to_owned(),
            ..config()
        });
    }
}

#[test]
fn an_empty_api_key_or_connection_id_is_a_configuration_error() {
    refusal(TelnyxConfig {
        api_key: String::new(),
        ..config()
    });
    refusal(TelnyxConfig {
        api_key: "line\nbreak".to_owned(),
        ..config()
    });
    refusal(TelnyxConfig {
        connection_id: String::new(),
        ..config()
    });
}

#[test]
fn a_webhook_url_must_be_empty_or_an_http_url() {
    refusal(TelnyxConfig {
        webhook_url: "not a url".to_owned(),
        ..config()
    });
    let empty = TelnyxConfig {
        webhook_url: String::new(),
        ..config()
    };
    assert!(TelnyxAdapter::new(empty).is_ok());
}

#[test]
fn debug_output_never_shows_the_api_key() {
    let shown = format!("{:?} {:?}", config(), super::adapter());
    assert!(!shown.contains("KEY0123456789ABCDEF"), "{shown}");
    assert!(shown.contains("<redacted>"));
}
