"""The providers' official Python SDKs, unchanged, as clients of `callproof emulate`.

For each provider: create a call, fetch it, hang it up, read the error of a
second hangup, and check a callback the emulator sent with the SDK's own
webhook validator. Callbacks are addressed to a public URL that the emulator
maps (--map-url) to the receiver this script runs, as a tunnel would; they
are validated over the public URL.

Usage: sdk_clients.py API_BASE HOOK_PORT PUBLIC_PREFIX
Prints one line "<provider> ok" per provider; exits non-zero on the first
failure, with the reason.
"""

import http.server
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

API, HOOK_PORT, PUBLIC = sys.argv[1], int(sys.argv[2]), sys.argv[3].rstrip("/")
RECEIVED = []
LOCK = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        with LOCK:
            RECEIVED.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(path_prefix, timeout=20.0):
    """The first callback whose path starts with path_prefix."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with LOCK:
            for hit in RECEIVED:
                if hit[0].startswith(path_prefix):
                    return hit
        time.sleep(0.05)
    raise AssertionError(f"no callback to {path_prefix} within {timeout} s")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def twilio():
    from twilio.base.exceptions import TwilioRestException
    from twilio.request_validator import RequestValidator
    from twilio.rest import Client

    sid, token = os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]
    client = Client(sid, token)
    # The smallest hook: the Api domain's base URL (the SDK has no
    # constructor setting for it).
    client.api.base_url = API
    status_url = f"{PUBLIC}/twilio/status?callId=sdk-twilio"
    call = client.calls.create(
        to="+15550002001", from_="+15550001111", url=f"{PUBLIC}/twilio/voice", status_callback=status_url
    )
    check(call.sid.startswith("CA"), f"a call sid: {call.sid}")
    fetched = client.calls(call.sid).fetch()
    check(fetched.sid == call.sid, "fetch names the call")
    check(fetched.status in ("queued", "ringing"), f"live status: {fetched.status}")
    ended = client.calls(call.sid).update(status="completed")
    check(ended.status in ("completed", "canceled"), f"ended: {ended.status}")
    try:
        client.calls(call.sid).update(status="completed")
        raise AssertionError("a second hangup must fail")
    except TwilioRestException as e:
        check(e.status == 404 and e.code == 20404, f"second hangup: {e.status} {e.code}")
    path, headers, body = wait_for("/twilio/status")
    params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    validator = RequestValidator(token)
    check(validator.validate(status_url, params, headers["x-twilio-signature"]), "Twilio's validator accepts the callback")
    check(not validator.validate(status_url, {**params, "CallStatus": "x"}, headers["x-twilio-signature"]), "and refuses a changed one")


def plivo():
    import plivo
    import plivo.rest.client as rest
    from plivo.utils.signature_v3 import validate_v3_signature

    auth_id, token = os.environ["PLIVO_AUTH_ID"], os.environ["PLIVO_AUTH_TOKEN"]
    # The SDK has no base-URL setting: its voice base URIs are module
    # constants (primary and two fallbacks), replaced here before use.
    base = f"{API}/v1/Account"
    for name in ("PLIVO_API_BASE_URI", "API_VOICE_BASE_URI", "API_VOICE_BASE_URI_FALLBACK_1", "API_VOICE_BASE_URI_FALLBACK_2"):
        setattr(rest, name, base)
    client = plivo.RestClient(auth_id, token)
    answer_url = f"{PUBLIC}/plivo/answer?callId=sdk-plivo"
    created = client.calls.create(from_="+15550001111", to_="+15550002002", answer_url=answer_url, answer_method="POST")
    request_uuid = created.request_uuid
    check(bool(request_uuid), "a request uuid")
    path, headers, body = wait_for("/plivo/answer")
    params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
    call_uuid = params["CallUUID"]
    live = client.live_calls.get(call_uuid)
    check(live.call_uuid == call_uuid, f"the live call: {live}")
    client.calls.delete(call_uuid)
    try:
        client.calls.delete(call_uuid)
        raise AssertionError("a second hangup must fail")
    except plivo.exceptions.ResourceNotFoundError as e:
        check("not found" in str(e), f"second hangup: {e}")
    valid = validate_v3_signature(
        "POST", answer_url, headers["x-plivo-signature-v3-nonce"], token, headers["x-plivo-signature-v3"], params
    )
    check(valid, "Plivo's validator accepts the callback")
    forged = validate_v3_signature(
        "POST", answer_url, headers["x-plivo-signature-v3-nonce"], token, headers["x-plivo-signature-v3"], {**params, "CallStatus": "x"}
    )
    check(not forged, "and refuses a changed one")


def telnyx():
    import telnyx

    client = telnyx.Telnyx(
        api_key=os.environ["TELNYX_API_KEY"], public_key=os.environ["TELNYX_PUBLIC_KEY"], base_url=f"{API}/v2", max_retries=0
    )
    dialled = client.calls.dial(
        connection_id=os.environ["TELNYX_CONNECTION_ID"],
        from_="+15550001111",
        to="+15550002003",
        webhook_url=f"{PUBLIC}/telnyx/hook",
    )
    ccid = dialled.data.call_control_id
    check(bool(ccid), "a call control id")
    status = client.calls.retrieve_status(ccid)
    check(status.data.is_alive is True, f"alive: {status.data}")
    client.calls.actions.hangup(ccid)
    try:
        client.calls.actions.hangup(ccid)
        raise AssertionError("a second hangup must fail")
    except telnyx.UnprocessableEntityError as e:
        codes = [err.get("code") for err in (e.body or {}).get("errors", [])] if isinstance(e.body, dict) else []
        check(e.status_code == 422 and "90018" in codes, f"second hangup: {e.status_code} {e.body}")
    path, headers, body = wait_for("/telnyx/hook")
    event = client.webhooks.unwrap(body.decode(), headers=headers)
    check(event.data.event_type == "call.initiated", f"the first webhook: {event.data.event_type}")
    try:
        client.webhooks.unwrap(body.decode().replace("call.initiated", "call.answered"), headers=headers)
        raise AssertionError("a changed webhook must be refused")
    except (ValueError, telnyx.TelnyxError):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, run in (("twilio", twilio), ("plivo", plivo), ("telnyx", telnyx)):
        try:
            run()
        except Exception as e:  # report which provider and why, then fail
            print(f"{name} FAILED: {type(e).__name__}: {e}", flush=True)
            sys.exit(1)
        print(f"{name} ok", flush=True)


if __name__ == "__main__":
    main()
