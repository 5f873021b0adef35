"""Messages of the web area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # The JSON API's own checks of a request (webapp/api.py).
    "api.body_too_large": ("请求体超过了 {kib} KiB 的限制。", "the request body is larger than {kib} KiB"),
    "api.not_an_integer": ("参数 {name} 须为整数。", "{name} must be an integer"),
    "api.out_of_range": (
        "参数 {name} 须在 {low} 至 {high} 之间。",
        "{name} must be between {low} and {high}",
    ),
    "api.body_not_object": (
        "请求体须为 JSON 对象（Content-Type: application/json）。",
        "the body must be a JSON object (Content-Type: application/json)",
    ),
    "api.unknown_fields": ("未知的字段：{fields}。", "unknown field(s): {fields}"),
    "api.wrong_type": ("字段 {name} 须为{expected}。", "{name} must be {expected}"),
    "api.kind_string": ("字符串", "a string"),
    "api.kind_integer": ("整数", "an integer"),
    "api.kind_string_or_number": ("字符串或数字", "a string or an integer or a number"),
    "api.code_required": ("请填写户号（code）。", "code is required"),
    "api.close_body": (
        '请求体须为 {{"closed_on": "YYYY-MM-DD"}} 或 {{"closed_on": null}}。',
        'the body must be {{"closed_on": "YYYY-MM-DD"}} or {{"closed_on": null}}',
    ),
}
