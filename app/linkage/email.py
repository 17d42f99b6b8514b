"""E-mail to a partner's address over SMTP, with the server settings from the configuration.

Configuration: ``JIEFEN_SMTP_HOST``, ``JIEFEN_SMTP_PORT`` (25), ``JIEFEN_SMTP_USER``,
``JIEFEN_SMTP_PASSWORD``, ``JIEFEN_SMTP_FROM``, ``JIEFEN_SMTP_STARTTLS`` (False),
``JIEFEN_SMTP_TIMEOUT`` (10 s). The partner's settings hold only its address.

The message is plain text in Chinese: what is asked (purpose), on what legal basis, by when,
and exactly the shared fields of the referral — nothing else of the case.

Payload read (built by the referral service)::

    {"kind": "link", "purpose": "…", "legal_basis": "…", "due_on": "2026-12-10",
     "title": "…" (optional),
     "fields": [{"label": "事故日期", "value": "2026-09-18"}, …] | {"事故日期": "2026-09-18"},
     "shared": {"title": …, "parties": [{"name": …}], "intake": {name: value}},
     "reply_hint": "…" (optional)}

``fields`` (already labelled) wins; otherwise the ``shared`` view of
:func:`app.lifecycle.referral_sharing.shared_view` is rendered with Chinese labels.
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.linkage.mechanisms import DeliveryError, Mechanism, SettingField

EVENT_SUBJECTS = {
    "referral_sent": "转办函",
    "referral.sent": "转办函",
    "referral_withdrawn": "撤回转办",
    "referral.withdrawn": "撤回转办",
    "referral_completed": "转办办结通知",
    "referral.completed": "转办办结通知",
    "referral_reminder": "转办催办",
    "referral.reminder": "转办催办",
}
KIND_NAMES = {"assign": "委派", "entrust": "委托", "link": "联动"}


CORE_LABELS = {"title": "案件名称", "description": "纠纷事实与请求", "claim_amount": "标的额（元）",
               "area": "所属区域"}
PARTY_LABELS = {"name": "姓名", "role": "地位", "mobile": "手机号码", "address": "住址",
                "id_number": "身份证件号码", "kind": "类别"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "；".join(
            "，".join(f"{k}：{_text(v)}" for k, v in item.items()) if isinstance(item, dict) else _text(item)
            for item in value
        )
    return str(value)


def _intake_labels(referral_id) -> dict:
    """Chinese labels of the intake fields of the referral's dispute type (best effort)."""
    if not referral_id:
        return {}
    try:
        from flask_babel import force_locale

        from app.extensions import db, jiefen
        from app.models.referral import Referral

        referral = db.session.get(Referral, referral_id)
        if referral is None or referral.case is None:
            return {}
        with force_locale("zh_CN"):
            return {f.name: str(f.label) for f in jiefen().registry.field_specs(referral.case.dispute_type)}
    except Exception:  # noqa: BLE001 - labels are a nicety; the raw name will do
        return {}


def _fields(payload: dict, referral_id=None) -> list[tuple[str, str]]:
    fields = payload.get("fields")
    if isinstance(fields, dict):
        return [(str(k), _text(v)) for k, v in fields.items()]
    if isinstance(fields, list):
        return [(str(f.get("label") or f.get("name") or ""), _text(f.get("value")))
                for f in fields if isinstance(f, dict)]
    shared = payload.get("shared")
    if not isinstance(shared, dict):
        return []
    out = [(CORE_LABELS.get(k, k), _text(v)) for k, v in shared.items() if k not in ("parties", "intake", "documents")]
    for i, party in enumerate(shared.get("parties") or [], 1):
        if isinstance(party, dict):
            out.append((f"当事人{i}", "，".join(f"{PARTY_LABELS.get(k, k)}：{_text(v)}" for k, v in party.items())))
    intake = shared.get("intake") or {}
    if isinstance(intake, dict) and intake:
        labels = _intake_labels(referral_id)
        out += [(labels.get(k, k), _text(v)) for k, v in intake.items()]
    documents = [d.get("name") for d in shared.get("documents") or [] if isinstance(d, dict)]
    if documents:
        out.append(("附件", "、".join(str(n) for n in documents) + "（请登录平台下载）"))
    return out


def subject_of(message) -> str:
    """The Chinese subject line, e.g. ``【解纷】联动转办函：某某纠纷（第12号）``."""
    payload = message.payload or {}
    kind = KIND_NAMES.get(payload.get("kind", ""), "")
    what = EVENT_SUBJECTS.get(message.event, "转办通知")
    title = str(payload.get("title") or (payload.get("shared") or {}).get("title") or "")
    ref = f"（转办第{message.referral_id}号）" if message.referral_id else ""
    return f"【解纷】{kind}{what}：{title}{ref}" if title else f"【解纷】{kind}{what}{ref}"


def body_of(message, partner) -> str:
    """The plain-text body."""
    p = message.payload or {}
    lines = [f"{partner.name}：", ""]
    lines.append(f"本院诉调对接平台（解纷）向贵单位发送{subject_of(message)[4:]}。")
    lines.append("")
    if p.get("purpose"):
        lines.append(f"转办事由：{p['purpose']}")
    if p.get("legal_basis"):
        lines.append(f"法律依据：{p['legal_basis']}")
    if p.get("due_on"):
        lines.append(f"答复期限：{p['due_on']}")
    if p.get("note"):
        lines.append(f"说明：{p['note']}")
    fields = _fields(p, message.referral_id)
    if fields:
        lines += ["", "共享信息（仅限本次转办目的使用，请勿外传）："]
        lines += [f"  {label}：{value}" for label, value in fields]
    lines += ["", p.get("reply_hint") or "请登录解纷平台或按约定方式答复。",
              "", f"编号：{message.idempotency_key}", "（本邮件由系统自动发送，请勿直接回复。）"]
    return "\n".join(lines) + "\n"


class EmailMechanism(Mechanism):
    """Plain-text e-mail through the court's SMTP server."""

    name = "email"
    label = _l("E-mail")

    def settings_schema(self):
        return (SettingField("address", _l("Partner e-mail address"), kind="email", required=True),)

    def build(self, message, partner) -> EmailMessage:
        cfg = current_app.config
        to = str((partner.linkage_settings or {}).get("address") or "").strip()
        if "@" not in to or "\n" in to or "\r" in to:
            raise DeliveryError("email: no usable address in the partner's settings", retryable=False)
        sender = cfg.get("JIEFEN_SMTP_FROM")
        if not sender:
            raise DeliveryError("email: JIEFEN_SMTP_FROM is not configured")
        msg = EmailMessage()
        msg["Subject"] = subject_of(message)
        msg["From"] = sender
        msg["To"] = formataddr((str(partner.name), to))
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=message.idempotency_key[:40], domain="jiefen.local")
        msg["X-Jiefen-Idempotency-Key"] = message.idempotency_key
        msg.set_content(body_of(message, partner), charset="utf-8")
        return msg

    def send(self, message, partner) -> None:
        cfg = current_app.config
        host = cfg.get("JIEFEN_SMTP_HOST")
        if not host:
            raise DeliveryError("email: JIEFEN_SMTP_HOST is not configured")
        msg = self.build(message, partner)
        port = int(cfg.get("JIEFEN_SMTP_PORT") or 25)
        timeout = float(cfg.get("JIEFEN_SMTP_TIMEOUT") or 10)
        try:
            with smtplib.SMTP(host, port, timeout=timeout) as smtp:
                if cfg.get("JIEFEN_SMTP_STARTTLS"):
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.get("JIEFEN_SMTP_USER"):
                    smtp.login(cfg["JIEFEN_SMTP_USER"], cfg.get("JIEFEN_SMTP_PASSWORD") or "")
                smtp.send_message(msg)
        except smtplib.SMTPAuthenticationError:
            raise DeliveryError("email: the SMTP server refused the login") from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryError("email: the SMTP server refused the partner's address", retryable=False) from None
        except smtplib.SMTPResponseException as exc:
            # 5xx is permanent, 4xx transient (RFC 5321).
            raise DeliveryError(f"email: SMTP answered {exc.smtp_code}",
                                retryable=not 500 <= exc.smtp_code < 600) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"email: cannot deliver ({type(exc).__name__})") from None
