"""The small HTML error page a browser gets when it navigates to something that fails (a revoked
share link, an unknown URL): the same status as the problem+json an API client gets, in the UI's
style, in English or Chinese after ``Accept-Language``, with the way back.

Only a navigation gets it: a GET whose ``Accept`` puts ``text/html`` first (what browsers send when
they load a page). ``fetch`` calls, curl and SDKs keep getting problem+json.
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import Any

from litestar import Request, Response

from vibe.entrypoints.http.web import APP_PAGE_HEADERS, bundle

__all__ = ["error_page", "wants_html"]

_WORDS = {
    "en": {"home": "Go to vibe", "projects": "Your projects", "code": "Error {status}"},
    "zh-CN": {"home": "返回 vibe", "projects": "我的项目", "code": "错误 {status}"},
}
_TITLES_ZH = {
    400: "请求无效",
    401: "需要登录",
    403: "没有权限",
    404: "页面不存在",
    409: "冲突",
    410: "已失效",
    413: "内容过大",
    415: "不支持的类型",
    422: "无法处理",
    429: "请求过多",
    500: "服务器出错",
    502: "上游服务出错",
    503: "服务暂不可用",
}


def wants_html(request: Request[Any, Any, Any]) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    accept = request.headers.get("accept", "")
    return accept.split(",", 1)[0].split(";", 1)[0].strip().lower() == "text/html"


def _language(request: Request[Any, Any, Any]) -> str:
    preferred = request.headers.get("accept-language", "").split(",", 1)[0].strip().lower()
    return "zh-CN" if preferred.startswith("zh") else "en"


def error_page(
    request: Request[Any, Any, Any], status: int, detail: str, headers: dict[str, str] | None = None
) -> Response[bytes]:
    language = _language(request)
    words = _WORDS[language]
    title = _TITLES_ZH.get(status) if language == "zh-CN" else None
    title = title or HTTPStatus(status).phrase
    build = bundle().build
    page = f"""<!doctype html>
<html lang="{language}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>{html.escape(title)} · vibe</title>
  <link rel="icon" href="/static/{build}/icons/logo.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/static/{build}/app.css">
</head>
<body class="error-page">
  <main class="error-card">
    <img src="/static/{build}/icons/logo.svg" alt="" width="48" height="48">
    <p class="eyebrow">{html.escape(words["code"].format(status=status))}</p>
    <h1>{html.escape(title)}</h1>
    <p class="muted">{html.escape(detail)}</p>
    <p class="error-actions">
      <a class="btn btn-primary" href="/">{words["home"]}</a>
      <a class="btn btn-ghost" href="/app">{words["projects"]}</a>
    </p>
  </main>
</body>
</html>
"""
    merged = {**(headers or {}), **APP_PAGE_HEADERS, "Cache-Control": "no-store"}
    return Response(page.encode(), status_code=status, media_type="text/html", headers=merged)
