#!/usr/bin/env python3
"""Smoke test of the throwaway mail servers started by scripts/mail-servers.sh.

    python3 scripts/mail-smoke.py DIR

Reads DIR/env, then proves the round trip the integration tests rely on:

1. customer@hotel.test -> support@deskbell.test over SMTP without authentication (as a
   loopback client), read back from support's INBOX over IMAP: the subject and a Polish UTF-8
   body ("Zażółć gęślą jaźń") arrive intact through an 8-bit transfer encoding;
2. support's reply -> customer@hotel.test over SMTP with AUTH PLAIN, read from the customer's
   INBOX, threaded by In-Reply-To;
3. the MTA refuses relaying to a foreign domain and an unknown local mailbox, and IMAP offers
   IDLE and UIDPLUS.

Standard library only. Exit status 0 when everything holds, 1 with a message otherwise.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import smtplib
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

POLISH = "Zażółć gęślą jaźń"
TIMEOUT_S = 20.0


class SmokeFailure(Exception):
    pass


def read_env(directory: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (directory / "env").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


def compose(sender: str, recipient: str, subject: str, body: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.split("@", 1)[1])
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    # 8bit rather than base64/quoted-printable: the raw UTF-8 bytes must cross SMTP (8BITMIME),
    # the queue, LMTP and the mailbox untouched.
    msg.set_content(body, charset="utf-8", cte="8bit")
    return msg


def send(env: dict[str, str], msg: EmailMessage, login: str | None = None) -> None:
    with smtplib.SMTP(env["MAIL_SMTP_HOST"], int(env["MAIL_SMTP_PORT"]), timeout=10) as smtp:
        smtp.ehlo("smoke.deskbell.test")
        if not smtp.has_extn("8bitmime"):
            raise SmokeFailure("SMTP server does not offer 8BITMIME")
        if login is not None:
            smtp.login(login, env["MAIL_PASSWORD"])
        refused = smtp.send_message(msg)
        if refused:
            raise SmokeFailure(f"SMTP refused recipients: {refused}")


def expect_refused(env: dict[str, str], recipient: str, what: str) -> None:
    msg = compose(env["MAIL_CUSTOMER"], recipient, f"must be refused ({what})", "nope\n")
    try:
        send(env, msg)
    except smtplib.SMTPRecipientsRefused as err:
        code, _reply = err.recipients[recipient]
        if not 500 <= code < 600:
            raise SmokeFailure(f"{what}: expected a permanent refusal, got {code}") from err
        return
    raise SmokeFailure(f"{what}: SMTP accepted mail to {recipient}")


def wait_for(env: dict[str, str], user: str, message_id: str) -> email.message.EmailMessage:
    """Polls the user's INBOX until the message with this Message-ID is there; returns it."""
    deadline = time.monotonic() + TIMEOUT_S
    imap = imaplib.IMAP4(env["MAIL_IMAP_HOST"], int(env["MAIL_IMAP_PORT"]), timeout=10)
    try:
        imap.login(user, env["MAIL_PASSWORD"])
        # Asked after login: Dovecot lists UIDPLUS and friends only to authenticated clients.
        typ, data = imap.capability()
        offered = data[0].decode().upper().split() if typ == "OK" else []
        for capability in ("IDLE", "UIDPLUS"):
            if capability not in offered:
                raise SmokeFailure(f"IMAP server does not offer {capability}: {offered}")
        while True:
            typ, _ = imap.select("INBOX", readonly=True)
            if typ != "OK":
                raise SmokeFailure(f"cannot select INBOX of {user}")
            typ, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", f'"{message_id}"')
            uids = data[0].split() if typ == "OK" and data and data[0] else []
            if uids:
                typ, parts = imap.uid("FETCH", uids[-1], "(BODY.PEEK[])")
                raw = next(p[1] for p in parts if isinstance(p, tuple))
                return email.message_from_bytes(raw, policy=email.policy.default)
            if time.monotonic() > deadline:
                raise SmokeFailure(f"{message_id} did not reach {user}'s INBOX in {TIMEOUT_S:.0f} s")
            imap.close()
            time.sleep(0.2)
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def check_same(got: email.message.EmailMessage, sent: EmailMessage, who: str) -> None:
    if str(got["Subject"]) != str(sent["Subject"]):
        raise SmokeFailure(f"{who}: subject changed: {got['Subject']!r} != {sent['Subject']!r}")
    # Line ends travel as CRLF on the wire and in the stored message; only they may differ.
    body = got.get_content().replace("\r\n", "\n")
    if POLISH not in body or body != sent.get_content():
        raise SmokeFailure(f"{who}: body changed: {body!r}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    env = read_env(Path(argv[1]))
    support, customer = env["MAIL_SUPPORT"], env["MAIL_CUSTOMER"]
    tag = uuid.uuid4().hex[:8]
    started = time.monotonic()

    question = compose(
        customer,
        support,
        f"Awaria kasy w recepcji [{tag}] – {POLISH}",
        f"Dzień dobry,\n\n{POLISH} — kasa nie drukuje paragonów.\n\nRecepcja\n",
    )
    send(env, question)
    received = wait_for(env, support, question["Message-ID"])
    check_same(received, question, support)
    print(f"ok: {customer} -> {support} ({time.monotonic() - started:.2f} s)")

    started = time.monotonic()
    reply = compose(
        support,
        customer,
        f"Re: {question['Subject']}",
        f"Dzień dobry,\n\nprzyjęliśmy zgłoszenie. {POLISH}.\n\nWsparcie deskbell\n",
        In_Reply_To=question["Message-ID"],
        References=question["Message-ID"],
    )
    send(env, reply, login=support)
    answered = wait_for(env, customer, reply["Message-ID"])
    check_same(answered, reply, customer)
    if answered["In-Reply-To"] != question["Message-ID"]:
        raise SmokeFailure(f"reply lost In-Reply-To: {answered['In-Reply-To']!r}")
    print(f"ok: {support} -> {customer}, authenticated ({time.monotonic() - started:.2f} s)")

    expect_refused(env, "someone@example.com", "relay to a foreign domain")
    expect_refused(env, "nobody@deskbell.test", "unknown local mailbox")
    print("ok: relaying and unknown mailboxes are refused; IMAP offers IDLE and UIDPLUS")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (SmokeFailure, smtplib.SMTPException, imaplib.IMAP4.error, OSError, KeyError) as err:
        print(f"mail-smoke: FAILED: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
