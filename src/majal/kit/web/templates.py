"""Pages: one Jinja environment over every domain's templates, rendering with the shell's values, and links
that stay on this site."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, Response

from majal.kit import i18n
from majal.kit.web.csrf import request_csrf_token

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/majal


def template_environment(domain_folders: Iterable[Path]) -> Environment:
    """One Jinja environment over the shared templates and every domain's own `templates/` folders."""
    folders = [PACKAGE_DIR / "web" / "templates", *domain_folders]
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders]),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.current_language()).ugettext(message),
        lambda singular, plural, n: i18n.translations(i18n.current_language()).ungettext(singular, plural, n),
        newstyle=True,
    )
    env.globals.update(
        languages=i18n.LANGUAGES,
        language_names=i18n.LANGUAGE_NAMES,
        localized_name=i18n.localized_name,
    )
    env.filters["number"] = i18n.format_number
    env.filters["moment"] = i18n.format_moment
    env.filters["duration"] = i18n.format_duration
    return env


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    env: Environment = request.app.state.templates
    lang = i18n.current_language()
    values = {
        "request": request,
        "lang": lang,
        "dir": i18n.text_direction(lang),
        "csrf_token": request_csrf_token(request),
        "current_user": getattr(request.state, "user", None),
        "language_url": lambda code: language_url(request, code),
        "page_url": lambda number: query_url(request, page=str(number)),
        "settings": request.app.state.settings,
        **(context or {}),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)


def language_url(request: Request, code: str) -> str:
    return query_url(request, lang=code)


def query_url(request: Request, **changes: str) -> str:
    """This page's address with some query parameters replaced (repeated parameters are kept)."""
    kept = [(key, value) for key, value in request.query_params.multi_items() if key not in changes]
    path = request.scope.get("root_path", "") + request.scope["path"]  # decoded, unlike request.url.path
    return f"{same_origin_path(path)}?{urlencode(kept + list(changes.items()))}"


def same_origin_path(path: str) -> str:
    """A decoded path as a link that stays on this site: `//host/x` or `/\\host/x` would be read by a browser as
    another host, so the path starts with one slash, and everything else that could end it is escaped."""
    return "/" + quote(path.lstrip("/\\"), safe="/:@!$&'()*+,;=~")
