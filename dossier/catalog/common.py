"""Messages every area shares: HTTP answers, the CLI's frame. ``code: (Simplified Chinese, English)``."""

MESSAGES: dict[str, tuple[str, str]] = {
    # What the API answers for a status with no more specific message.
    "http.400": ("请求有误。", "bad request"),
    "http.401": (
        "需要登录：请在 Authorization 头中提供 Bearer 令牌。",
        "authentication required: send Authorization: Bearer <token>",
    ),
    "http.403": ("无权访问。", "permission denied"),
    "http.404": ("未找到。", "not found"),
    "http.405": ("不支持的请求方式。", "method not allowed"),
    "http.409": ("记录已存在。", "already exists"),
    "http.413": ("提交的内容过大。", "request too large"),
    "http.429": ("请求过于频繁，请稍后再试。", "too many requests"),
    "http.500": ("系统内部错误。", "internal error"),
    "http.503": ("服务暂不可用。", "service unavailable"),
    "http.error": ("请求未完成。", "error"),
    "http.csrf": ("安全校验失败：表单已过期或缺少校验码。", "CSRF check failed"),
}
