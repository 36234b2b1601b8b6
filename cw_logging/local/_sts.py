"""STS ``GetCallerIdentity`` for clients pointed at the local server.

Code that builds log-group ARNs itself (watchtower, many Terraform-era scripts, moto's own test
fixtures) first asks STS which account it is; with ``AWS_ENDPOINT_URL`` pointing at the local
server that question arrives here. The answer names the account the engine files the caller's
groups under, so the ARNs such code builds are the ones the engine reports. Every other AWS
Query-protocol action gets an XML ``InvalidAction`` error (what those clients can read).
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from ._protocol import WireResponse

_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
_XML = "text/xml"


def is_query_request(content_type: str | None, body: bytes) -> bool:
    """Whether a POST is an AWS Query-protocol call (a form with ``Action=``)."""
    form = (content_type or "").split(";", 1)[0].strip().lower()
    return form == "application/x-www-form-urlencoded" and b"Action=" in body[:4096]


def answer_query(body: bytes, account_id: str) -> WireResponse:
    """Answer a Query-protocol call: GetCallerIdentity, or InvalidAction."""
    form = parse_qs(body[:65536].decode("utf-8", "replace"))
    action = (form.get("Action") or [""])[0]
    request_id = str(uuid.uuid4())
    headers = {"Content-Type": _XML, "x-amzn-RequestId": request_id}
    if action != "GetCallerIdentity":
        message = (
            f"The cw_logging local engine answers CloudWatch Logs and STS GetCallerIdentity, "
            f"not {action[:100]!r}."
        )
        xml = (
            f'<ErrorResponse xmlns="{_NAMESPACE}"><Error><Type>Sender</Type>'
            f"<Code>InvalidAction</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return WireResponse(400, headers, xml.encode())
    xml = (
        f'<GetCallerIdentityResponse xmlns="{_NAMESPACE}"><GetCallerIdentityResult>'
        f"<Arn>arn:aws:iam::{account_id}:user/cw-logging-local</Arn>"
        f"<UserId>AIDACWLOGGINGLOCAL</UserId><Account>{escape(account_id)}</Account>"
        f"</GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
        f"</ResponseMetadata></GetCallerIdentityResponse>"
    )
    return WireResponse(200, headers, xml.encode())
