"""A corpus of realistic secrets and of look-alikes, written for this project: every value is fake
but well-formed (Luhn-valid test card numbers, IBANs with valid check digits, tokens with their
vendor's prefix and length, base64url JWTs).

Each :class:`Secret` says how it is logged (message, %-arguments, ``extra=`` fields or an
exception) and which texts must never reach the service; each :class:`LookAlike` is a message
that must arrive unchanged. Used by ``test_corpus.py`` (through a handler into a server) and by
``benchmarks/bench_formatter.py``.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import string
from dataclasses import dataclass, field
from typing import Any

ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
BASE64URL = ALNUM + "-_"


def fake(alphabet: str, length: int, seed: int) -> str:
    """A fixed fake token body (the same on every run)."""
    return "".join(random.Random(seed).choices(alphabet, k=length))


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def jwt(subject: str, seed: int) -> str:
    header = _b64url({"alg": "HS256", "typ": "JWT"})
    payload = _b64url({"sub": subject, "iat": 1714979289, "scope": "orders:read"})
    return f"{header}.{payload}.{fake(BASE64URL, 43, seed)}"


def pem(kind: str, seed: int) -> str:
    lines = [fake(BASE64, 64, seed + line) for line in range(3)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----"


@dataclass(frozen=True)
class Secret:
    """A record carrying secrets: none of ``secrets`` may be in what is stored."""

    category: str
    message: str
    secrets: tuple[str, ...]
    args: Any = ()
    extra: dict[str, Any] = field(default_factory=dict)
    exception: str | None = None


@dataclass(frozen=True)
class LookAlike:
    """A message that only looks sensitive: it must be stored unchanged."""

    category: str
    message: str


AWS_SECRET_1 = fake(BASE64, 40, 11)
AWS_SECRET_2 = fake(BASE64, 40, 12)
AWS_SECRET_3 = fake(BASE64, 40, 13)
AWS_SECRET_4 = fake(ALNUM, 40, 14)
SESSION_TOKEN = "IQoJb3JpZ2luX2VjE" + fake(BASE64, 300, 15)
GITHUB_CLASSIC = "ghp_" + fake(ALNUM, 36, 21)
GITHUB_OAUTH = "gho_" + fake(ALNUM, 36, 22)
GITHUB_FINE = "github_pat_11" + fake(ALNUM, 20, 23) + "_" + fake(ALNUM, 59, 24)
SLACK_BOT = "xoxb-2048123456-4096123456789-" + fake(ALNUM, 24, 25)
SLACK_HOOK = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/" + fake(ALNUM, 24, 26)
STRIPE_LIVE = "sk_live_51" + fake(ALNUM, 96, 27)
STRIPE_RESTRICTED = "rk_live_" + fake(ALNUM, 24, 28)
STRIPE_WEBHOOK = "whsec_" + fake(ALNUM, 32, 29)
GOOGLE_KEY = "AIza" + fake(BASE64URL, 35, 30)
GOOGLE_OAUTH = "ya29.a0" + fake(BASE64URL, 120, 31)
NPM = "npm_" + fake(ALNUM, 36, 32)
OPENAI_STYLE = "sk-proj-" + fake(BASE64URL, 48, 33)
SENDGRID = "SG." + fake(BASE64URL, 22, 34) + "." + fake(BASE64URL, 43, 35)
GITLAB = "glpat-" + fake(BASE64URL, 20, 36)
JWT_1, JWT_2, JWT_3 = jwt("u-42", 41), jwt("svc-billing", 42), jwt("ann", 43)
RSA_KEY = pem("RSA PRIVATE KEY", 51)
OPENSSH_KEY = pem("OPENSSH PRIVATE KEY", 61)

SECRETS: tuple[Secret, ...] = (
    # emails
    Secret("email", "signup from ann.lee@example.com", ("ann.lee@example.com",)),
    Secret("email", "reset link sent to %s", ("j.smith+billing@mail.example.co.uk",),
           args=("j.smith+billing@mail.example.co.uk",)),
    Secret("email", "customer updated", ("bob_92@example.org",),
           extra={"customer_email": "bob_92@example.org"}),
    Secret("email", 'From: "Ann Lee" <ann.lee@corp.example.net>', ("ann.lee@corp.example.net",)),
    Secret("email", "notify=ops-team@example.io;retries=3", ("ops-team@example.io",)),
    # payment cards (public test numbers: Luhn-valid)
    Secret("card", "charged card %s for 19.90 EUR", ("4111 1111 1111 1111",),
           args=("4111 1111 1111 1111",)),
    Secret("card", "card:4012888888881881 declined", ("4012888888881881",)),
    Secret("card", "pan=5555-5555-5555-4444 approved", ("5555-5555-5555-4444",)),
    Secret("card", "amex 378282246310005 on file", ("378282246310005",)),
    Secret("card", "discover 6011 1111 1111 1117 (wallet)", ("6011 1111 1111 1117",)),
    Secret("card", 'payment {"card": "3530111333300000", "exp": "12/29"}', ("3530111333300000",)),
    Secret("card", "terminal read 5105:1051:0510:5100", ("5105:1051:0510:5100",)),
    # US social security numbers
    Secret("ssn", "ssn 078-05-1120 verified", ("078-05-1120",)),
    Secret("ssn", "applicant ssn:219-09-9999", ("219-09-9999",)),
    Secret("ssn", "SSN 123 45 6789 on file", ("123 45 6789",)),
    Secret("ssn", "kyc done", ("536221234",), extra={"applicant": {"ssn": "536221234"}}),
    # IBANs (valid check digits)
    Secret("iban", "refund to IBAN DE89 3704 0044 0532 0130 00", ("DE89 3704 0044 0532 0130 00",)),
    Secret("iban", "iban=GB82WEST12345698765432", ("GB82WEST12345698765432",)),
    Secret("iban", "payout NL91ABNA0417164300 queued", ("NL91ABNA0417164300",)),
    Secret("iban", "beneficiary FR14 2004 1010 0505 0001 3M02 606", ("2004 1010 0505 0001",)),
    # AWS credentials
    Secret("aws", "using access key AKIA2E0A8F3B244C9986", ("AKIA2E0A8F3B244C9986",)),
    Secret("aws", f"aws_secret_access_key = {AWS_SECRET_1}", (AWS_SECRET_1,)),
    Secret("aws", "assumed role: %s", ("ASIAQNMZ3KX7TQWEFH2J", AWS_SECRET_2, SESSION_TOKEN),
           args=({"AccessKeyId": "ASIAQNMZ3KX7TQWEFH2J", "SecretAccessKey": AWS_SECRET_2,
                  "SessionToken": SESSION_TOKEN},)),
    Secret("aws", f"env AWS_SECRET_ACCESS_KEY={AWS_SECRET_3} loaded", (AWS_SECRET_3,)),
    Secret("aws", f"aws_key={AWS_SECRET_4}", (AWS_SECRET_4,)),
    Secret("aws", f"creds AKIA5Y7T3R9E1W2Q4U6I:{AWS_SECRET_1}", ("AKIA5Y7T3R9E1W2Q4U6I",
                                                                 AWS_SECRET_1)),
    Secret("aws", f"X-Amz-Security-Token: {SESSION_TOKEN}", (SESSION_TOKEN,)),
    Secret("aws", "boto3 session ready", (AWS_SECRET_2,),
           extra={"credentials": {"SecretAccessKey": AWS_SECRET_2}}),
    # vendor tokens
    Secret("token", f"git push with {GITHUB_CLASSIC}", (GITHUB_CLASSIC,)),
    Secret("token", f"oauth {GITHUB_OAUTH} granted", (GITHUB_OAUTH,)),
    Secret("token", f"GH_TOKEN {GITHUB_FINE}", (GITHUB_FINE,)),
    Secret("token", f"slack client init {SLACK_BOT}", (SLACK_BOT,)),
    Secret("token", f"alerts go to {SLACK_HOOK}", (SLACK_HOOK[-24:],)),
    Secret("token", f"stripe.api_key set to {STRIPE_LIVE}", (STRIPE_LIVE,)),
    Secret("token", f"restricted {STRIPE_RESTRICTED} and hook {STRIPE_WEBHOOK}",
           (STRIPE_RESTRICTED, STRIPE_WEBHOOK)),
    Secret("token", f"maps client {GOOGLE_KEY}", (GOOGLE_KEY,)),
    Secret("token", f"google access {GOOGLE_OAUTH}", (GOOGLE_OAUTH,)),
    Secret("token", f"npm publish {NPM}", (NPM,)),
    Secret("token", f"llm client {OPENAI_STYLE}", (OPENAI_STYLE,)),
    Secret("token", f"mailer {SENDGRID} ready", (SENDGRID,)),
    Secret("token", f"gitlab {GITLAB}", (GITLAB,)),
    # JWTs and HTTP credentials
    Secret("jwt", f"token {JWT_1} accepted", (JWT_1,)),
    Secret("jwt", "callback", (JWT_2,), extra={"query": f"state=x&id_token={JWT_2}"}),
    Secret("jwt", f'{{"jwt": "{JWT_3}", "user": "ann"}}', (JWT_3,)),
    Secret("http", "Authorization: Bearer 8f2c9a7e-4b1d-4c3a-9e6f-2a7b8c9d0e1f",
           ("8f2c9a7e-4b1d-4c3a-9e6f-2a7b8c9d0e1f",)),
    Secret("http", "upstream header Authorization: Basic YWRtaW46czNjcjN0UGFzcw==",
           ("YWRtaW46czNjcjN0UGFzcw==",)),
    Secret("http", "X-Api-Key: 9c1e4b7a2d8f3e6b0a5c9d2e7f4a1b8c",
           ("9c1e4b7a2d8f3e6b0a5c9d2e7f4a1b8c",)),
    Secret("http", "curl -H 'Authorization: Token 5f3e8a1c9b2d7e4f' https://api.example.com",
           ("5f3e8a1c9b2d7e4f",)),
    Secret("http", "retrying with bearer 7Hq9xK2mP4vL8nR3", ("7Hq9xK2mP4vL8nR3",)),
    Secret("http", "request headers %s", ("sid=8c1f0e2d9b3a",),
           args=({"Cookie": "sid=8c1f0e2d9b3a", "Accept": "application/json"},)),
    # passwords in URLs
    Secret("url", "connecting to postgres://app:Pg5ecr3t!@db.internal:5432/shop", ("Pg5ecr3t!",)),
    Secret("url", "cache redis://:r3disPa55@cache.internal:6379/0", ("r3disPa55",)),
    Secret("url", "broker %s", ("Gu3stPw",), args=("amqp://guest:Gu3stPw@rabbit:5672/",)),
    # key-value secrets in text and in JSON-looking text
    Secret("key-value", 'login {"user": "ann", "password": "hunter2"}', ("hunter2",)),
    Secret("key-value", "secret_key=9f8e7d6c5b4a", ("9f8e7d6c5b4a",)),
    Secret("key-value", "refresh ok token=tk_4f9a8b7c6d5e", ("tk_4f9a8b7c6d5e",)),
    Secret("key-value", "db_password: 'S3cure!Pass'", ("S3cure!Pass",)),
    Secret("key-value", "oauth client_secret=Xy7.Wq2-Lm9_Kp4", ("Xy7.Wq2-Lm9_Kp4",)),
    Secret("key-value", 'cfg={\\"api_key\\": \\"ak-7731-ffe0\\"}', ("ak-7731-ffe0",)),
    Secret("key-value", "Cookie: sessionid=8c1f0e2d9b3a; theme=dark", ("8c1f0e2d9b3a",)),
    Secret("key-value", "GET /login?user=admin&pass=Tr0ub4dor3&lang=en", ("Tr0ub4dor3",)),
    Secret("key-value", "login %(user)s with %(password)s", ("hunter2x",),
           args=({"user": "ann", "password": "hunter2x"},)),
    Secret("key-value", "signup", ("pw-in-extra-1",),
           extra={"form": {"username": "ann", "password": "pw-in-extra-1"}}),
    Secret("key-value", "config loaded %s", ("k-live-8841",),
           args=({"service": "geo", "apiKey": "k-live-8841"},)),
    Secret("key-value", "azure DefaultEndpointsProtocol=https;AccountName=shop;"
                        f"AccountKey={AWS_SECRET_3}==;EndpointSuffix=core.windows.net",
           (AWS_SECRET_3,)),
    # private keys and exceptions
    Secret("private key", f"loaded key\n{RSA_KEY}\nfrom vault", (RSA_KEY.splitlines()[1],)),
    Secret("private key", "deploy key rejected", (OPENSSH_KEY.splitlines()[2],),
           exception=f"bad key material:\n{OPENSSH_KEY}"),
    Secret("exception", "payment failed", ("4242 4242 4242 4242",),
           exception="card 4242 4242 4242 4242 was declined"),
    Secret("exception", "db down", ("Myp4ss",),
           exception="could not connect to mysql://root:Myp4ss@10.0.0.5:3306/app"),
    # written as people write, with nothing a rule can hold on to (known misses)
    Secret("prose", "user said my password is hunter2 and it did not work", ("hunter2",)),
    Secret("prose", "applicant 078051120 checked", ("078051120",)),
)  # fmt: skip

LOOK_ALIKES: tuple[LookAlike, ...] = (
    # times and ids
    LookAlike("time", "started 2024-05-06T07:08:09.123456Z"),
    LookAlike("time", "2024-05-06 07:08:09,123 worker ready"),
    LookAlike("time", "epoch ms 1714979289123 ns 1714979289123456789"),
    LookAlike("time", "took 00:01:23.456 (cron 0 */5 * * *)"),
    LookAlike("time", "dates 2024/05/06 and 06.05.2024"),
    LookAlike("id", "request 9f0c1e2a-7b3d-4e5f-8a9b-0c1d2e3f4a5b done"),
    LookAlike("id", "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7"),
    LookAlike("id", "xray 1-5759e988-bd862e3fe1be46a994272793"),
    LookAlike("id", "uuid 12345678-1234-1234-1234-123456789012"),
    LookAlike("id", "pod shop-7d9f8b6c5d-x2x9k restarted"),
    LookAlike("id", "stripe customer cus_NffrFeUfNV2Hib charge ch_3MmlLrLkdIwHu7ix0snN0B15"),
    LookAlike("id", "slack channel C0123ABCD user U0456EFGH"),
    LookAlike("id", "github run 1234567890 on ubuntu-latest, PR #4111 merged"),
    # order numbers and digit runs
    LookAlike("number", "order ORD-2024-000123-4567 shipped"),
    LookAlike("number", "order #4111111111111112 (not Luhn)"),
    LookAlike("number", "invoice 7992739871300001"),
    LookAlike("number", "id 1234567812345678 and 9876543210987654"),
    LookAlike("number", "tracking 1Z999AA10123456784"),
    LookAlike("number", "ISBN 978-3-16-148410-0"),
    LookAlike("number", "amount 4111.11 EUR and 5500.00 USD"),
    LookAlike("number", "12 items at 19.99 total 239.88"),
    LookAlike("number", "phone-like id 555-123-4567"),
    LookAlike("number", "not SSNs: 000-12-3456 666-12-3456 900-12-3456 123-00-4567"),
    LookAlike("number", "IBAN-like DE89370400440532013001 (bad check digits)"),
    LookAlike("number", "pi 3.14159265358979323846"),
    LookAlike("number", "lat 52.5200 lon 13.4050"),
    # versions and digests
    LookAlike("version", "version 1.2.3.4 and v2024.05.06-rc1"),
    LookAlike("version", "python 3.11.7 boto3 1.34.2"),
    LookAlike("version", "pip install cw-logging==0.1.0"),
    LookAlike("version", "package foo@1.2.3 and user@localhost"),
    LookAlike("digest", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    LookAlike("digest", "commit=4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
    LookAlike("digest", "image nginx@sha256:"
                        "0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"),
    LookAlike("digest", "container "
                        "3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e"),
    LookAlike("digest", "etag \"d41d8cd98f00b204e9800998ecf8427e\""),
    # addresses that are not secrets
    LookAlike("address", "git@github.com:acme/shop.git"),
    LookAlike("address", "clone git@gitlab.example.com:team/api.git failed"),
    LookAlike("address", "ip 10.0.0.1 port 8080, client 192.168.1.20"),
    LookAlike("address", "MAC 52:54:00:12:34:56 IPv6 2001:db8::1"),
    LookAlike("address", "s3://my-bucket/path/to/key.json"),
    LookAlike("address", "https://example.com/api/v1/orders?page=2&size=50"),
    LookAlike("address", "http://localhost:8080/health"),
    LookAlike("address", "arn:aws:iam::123456789012:role/app-role"),
    LookAlike("address", "@timestamp, @message and @logStream fields"),
    # words around secrets
    LookAlike("words", "Bearer tokens are described in RFC 6750; Basic auth in RFC 7617"),
    LookAlike("words", "the password was changed at 10:42"),
    LookAlike("words", "max_tokens=1024 prompt_tokens=512 token_count=42"),
    LookAlike("words", "password_policy=strict passwordless=true"),
    LookAlike("words", "session_count=3 session_length_s=120"),
    LookAlike("words", "card_type=visa last4=1111 author=ann keyboard=us"),
    LookAlike("words", "key=cache:user:42 hit"),
    LookAlike("words", "status=ok region=eu-west-1 user=c-42"),
    LookAlike("words", "email field is empty; E-mail: not provided"),
    LookAlike("words", "JWT header alg=HS256 typ=JWT"),
    LookAlike("words", "locale sk-SE and AKIA short AKIA1234"),
    LookAlike("words", "SSN field missing, IBAN not required"),
    LookAlike("words", "swift code DEUTDEFF"),
    LookAlike("words", "gpio pin: 17 set high"),  # a known false positive: "pin" is a key
    # public material
    LookAlike("public", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLs"
                        "abgH5C9okWi0dh2l9GKJl ann@laptop"),
    LookAlike("public", "-----BEGIN CERTIFICATE----- chain of 3"),
    LookAlike("public", "user agent Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"),
    LookAlike("public", "base64 payload aGVsbG8gd29ybGQ="),
)  # fmt: skip


def emit(logger: logging.Logger, secret: Secret, case: str) -> None:
    """Log ``secret`` the way it says (``case`` goes into an ``extra`` field to find it again)."""
    extra = {**secret.extra, "case": case}
    if secret.exception is None:
        logger.warning(secret.message, *secret.args, extra=extra)
        return
    try:
        raise RuntimeError(secret.exception)
    except RuntimeError:
        logger.exception(secret.message, *secret.args, extra=extra)


def log_corpus(logger: logging.Logger) -> None:
    """Log every secret (cases ``s0``...) and every look-alike (``l0``...)."""
    for index, secret in enumerate(SECRETS):
        emit(logger, secret, f"s{index}")
    for index, look_alike in enumerate(LOOK_ALIKES):
        logger.warning(look_alike.message, extra={"case": f"l{index}"})


@dataclass
class Score:
    """What the service stored: the secrets that leaked, the look-alikes that were changed."""

    leaked: list[Secret]
    changed: list[LookAlike]

    @property
    def recall(self) -> float:
        """Share of the secrets of which nothing leaked."""
        return 1 - len(self.leaked) / len(SECRETS)

    def by_category(self) -> dict[str, tuple[int, int]]:
        """(caught, total) secrets by category."""
        table: dict[str, tuple[int, int]] = {}
        for secret in SECRETS:
            caught, total = table.get(secret.category, (0, 0))
            table[secret.category] = (caught + (secret not in self.leaked), total + 1)
        return table


def score(stored: dict[str, str]) -> Score:
    """Score the stored JSON documents, by case id (every case must be there)."""
    leaked = [
        secret
        for index, secret in enumerate(SECRETS)
        if any(text in stored[f"s{index}"] for text in secret.secrets)
    ]
    changed = [
        look_alike
        for index, look_alike in enumerate(LOOK_ALIKES)
        if json.loads(stored[f"l{index}"])["message"] != look_alike.message
        or "[REDACTED" in stored[f"l{index}"]
    ]
    return Score(leaked, changed)
