"""Credentials recognisable by their shape: AWS keys, vendor API tokens, JWTs and HTTP
``Bearer``/``Basic`` credentials.

Each pattern is anchored on a literal prefix and bounded, so a failed attempt costs a constant
and the text is read once; a look-behind placed after the first character keeps ``re``'s fast
prefix search.
"""

from __future__ import annotations

from ._rule import Rule, token

__all__ = ["TOKEN_RULES"]


def _looks_like_credential(value: str) -> bool:
    # the pattern takes 8 characters at least: shorter values never get here
    rest = value[1:]
    return any(char.isdigit() or char in "+/=._~-" for char in value) or (
        any(char.isupper() for char in rest) and any(char.islower() for char in rest)
    )


def _redact_http_credentials(match: str) -> str:
    value = match.split()[-1]  # the scheme, blanks, then a value without blanks
    if not _looks_like_credential(value):
        return match
    return match[: -len(value)] + token("credentials")


def _redact_aws_secret(match: str) -> str:
    secret = match[-40:]
    if not (
        any(char.isupper() for char in secret)
        and any(char.islower() for char in secret)
        and any(char.isdigit() for char in secret)
    ):
        return match
    return match[:-40] + token("aws_secret")


TOKEN_RULES: tuple[Rule, ...] = (
    Rule(
        "jwt",
        r"e(?<![A-Za-z0-9_-]e)yJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*",
        token("jwt"),
        "eyj",
    ),
    Rule(
        "credentials",
        r"[Bb](?<![A-Za-z0-9_][Bb])(?i:earer|asic)[ \t]{1,4}[A-Za-z0-9._~+/-]{8,4096}=*",
        _redact_http_credentials,
        "bearer|basic",
    ),
    Rule(
        "aws_access_key_id",
        r"A(?<![A-Za-z0-9]A)(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        token("aws_key"),
        "akia|asia|abia|acca",
    ),
    Rule(
        "github_token",
        r"g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{36,251}|ithub_pat_[A-Za-z0-9_]{22,244})"
        r"(?![A-Za-z0-9_])",
        token("github_token"),
        "ghp_|gho_|ghu_|ghs_|ghr_|github_pat_",
    ),
    Rule(
        "slack_token",
        r"x(?<![A-Za-z0-9_]x)(?:ox[abposre]-|app-[0-9]-)[A-Za-z0-9-]{10,250}"
        r"|hooks\.slack\.com/services/[A-Za-z0-9_/-]{20,120}",
        token("slack_token"),
        "xox|xapp-|hooks",
    ),
    Rule(
        "stripe_key",
        r"[rsw](?<![A-Za-z0-9_][rsw])(?:k_live_|k_test_|hsec_)[A-Za-z0-9]{10,247}(?![A-Za-z0-9])",
        token("stripe_key"),
        "k_live_|k_test_|whsec_",
    ),
    Rule(
        "google_api_key",
        r"A(?<![A-Za-z0-9_-]A)Iza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"
        r"|y(?<![A-Za-z0-9_-]y)a29\.[0-9A-Za-z_-]{20,2048}",
        token("google_api_key"),
        "aiza|ya29",
    ),
    Rule(
        "api_token",
        r"(?<![A-Za-z0-9_-])(?:npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,2048}"
        r"|glpat-[A-Za-z0-9_-]{20,64}|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"
        r"|sk-(?:proj-|ant-[a-z0-9]{2,8}-)?[A-Za-z0-9_-]{32,256})(?![A-Za-z0-9_-])",
        token("api_token"),
        r"npm_|pypi-|glpat-|sg\.|sk-",
    ),
    Rule(
        "aws_secret_key",
        # 40 characters of base64 as the value of a key-value pair (``aws_key=…``,
        # ``"Secret": "…"``, ``AKIA…:…``), with upper case, lower case and digits
        r"[=:][ \t]{0,8}[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        _redact_aws_secret,
        "aws|key|secret|cred|akia|asia",  # what the key (or the access key id) before it says
    ),
)
"""Token rules in the order they apply."""
