"""SMS notices of referrals through an HTTP SMS gateway (the partner's duty phone).

The message carries no personal data: only the referral number, the due date and where to
answer. The outbox retries on gateway errors and gives up on a refused number.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from app.plugins import DeliveryError, Mechanism, PluginMetadata, SettingField, _, hookimpl

from jiefen_sms import __version__

HERE = os.path.dirname(__file__)


def notice_text(event: str, payload: dict) -> str:
    """The SMS for an outbox event: a new referral, a withdrawal or a completion."""
    number = payload.get("referral_id")
    if event == "referral_withdrawn":
        return f"【解纷】第{number}号联动转办已由发送方撤回，请停止办理。"
    if event == "referral_completed":
        return f"【解纷】第{number}号联动转办已办结，感谢协助。"
    return f"【解纷】您单位有一件联动转办（第{number}号），请于{payload.get('due_on')}前登录平台或按约定方式办理。"


class SmsGatewayMechanism(Mechanism):
    """POST ``{"to", "text"}`` to the gateway URL; a 2xx answer means the SMS was accepted."""

    name = "sms_gateway"
    label = _("SMS to the partner's duty phone")

    def settings_schema(self):
        """The gateway URL and the partner's duty mobile number."""
        return (
            SettingField("gateway_url", _("SMS gateway URL"), kind="url", required=True),
            SettingField("mobile", _("Duty mobile number"), required=True),
        )

    def send(self, message, partner) -> None:
        """Send a short notice; 5xx and network errors are retried, 4xx are final."""
        settings = partner.linkage_settings or {}
        problems = self.validate_settings(settings)
        if problems:
            # the problems are lazy translated sentences: str() renders them
            raise DeliveryError("; ".join(str(p) for p in problems), retryable=False)
        text = notice_text(message.event, message.payload or {})
        body = json.dumps({"to": settings["mobile"], "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            settings["gateway_url"], data=body, method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": message.idempotency_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (admin-set URL)
                answer.read()
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"gateway answered {exc.code}", retryable=exc.code >= 500) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"gateway unreachable: {exc}", retryable=True) from None


@hookimpl
def plugin_metadata():
    """Version and the core versions this mechanism is written for."""
    return PluginMetadata(version=__version__, requires_core=">=0.1,<0.2",
                          description=_("SMS notices of referrals"))


@hookimpl
def register_linkage_mechanisms():
    """One mechanism: SMS through an HTTP gateway."""
    return [SmsGatewayMechanism]


@hookimpl
def translation_directories():
    """The example's own catalogues (zh_CN and en)."""
    return [os.path.join(HERE, "translations")]
