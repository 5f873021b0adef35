"""Messages of the users area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    "user.console_name": ("服务器控制台", "the server console"),
    # Roles and permissions (dossier/permissions.py reads ROLE_NAMES_ZH from these).
    "role.archivist": ("档案管理员", "archivist"),
    "role.staff": ("客服员", "staff"),
    "role.retention_officer": ("档案销毁审批人", "retention_officer"),
    "role.auditor": ("审计", "auditor"),
    "role.admin": ("管理处经理", "admin"),
    "role.none": ("未登录", "not signed in"),
    "permission.search": ("检索与查阅", "search"),
    "permission.view_confidential": ("查阅保密文件", "view_confidential"),
    "permission.manage_records": ("管理档案", "manage_records"),
    "permission.propose_destruction": ("提出销毁", "propose_destruction"),
    "permission.approve_destruction": ("审批销毁", "approve_destruction"),
    "permission.audit": ("审计", "audit"),
    "permission.admin": ("系统管理", "admin"),
    "permission.or": ("{left}”或“{right}", "{left} or {right}"),
    "permission.this_user": ("此用户", "this user"),
    "permission.denied": (
        "{who}（{role}）无权执行此操作：需要“{permission}”权限。",
        "{who} ({role}) may not do this (needs the {permission} permission)",
    ),
    "role.unknown": (
        "角色“{value}”不对：可选 {choices}。",
        "unknown role {value!r}; choose one of {choices}",
    ),
    # Accounts (dossier/services/users.py).
    "user.bad_username": (
        "“{username}”不能用作用户名：请用 2 至 64 个字母、数字或 . _ -。",
        "{username!r} is not a username: use 2-64 letters, digits, '.', '_' or '-'",
    ),
    "user.exists": ("用户 {username} 已存在。", "user {username} already exists"),
    "user.sign_in_first": ("请先登录。", "sign in first"),
    "user.wrong_password": ("当前密码不正确。", "the current password is wrong"),
    "user.same_password": ("新密码不能与当前密码相同。", "the new password must differ from the current one"),
    "user.last_admin": (
        "{username} 是唯一启用中的管理处经理：系统至少需要一名，请先让另一位用户担任管理处经理。",
        "{username} is the only active admin and the system needs one: make another user admin first",
    ),
    "user.disable_self": ("不能停用自己的账号。", "you cannot disable your own account"),
    "user.name_too_long": ("姓名不能超过 {limit} 个字。", "a name may have at most {limit} characters"),
    "user.not_found": ("没有用户名为 {username} 的用户。", "there is no user {username}"),
    "user.bad_credential": (
        "所给的密码或 API 令牌不属于启用中的用户 {username}。",
        "the password or API token given is not that of the active user {username}",
    ),
    "user.token_for_disabled": (
        "用户 {username} 已停用，不能为其创建 API 令牌。",
        "user {username} is disabled: no API token can be issued for them",
    ),
    "user.token_name_too_long": (
        "令牌用途不能超过 {limit} 个字。",
        "a token's label may have at most {limit} characters",
    ),
    "user.no_such_token": ("用户 {username} 没有令牌 {token}。", "user {username} has no token {token}"),
    "user.ambiguous_token": (
        "用户 {username} 有多个以 {token} 开头的令牌，请用令牌编号指明。",
        "user {username} has several tokens starting {token}; name it by its id",
    ),
    "user.token_already_revoked": ("令牌 {prefix}… 已于先前吊销。", "token {prefix}… was already revoked"),
    "user.field.display_name": ("姓名", "name"),
    "user.field.role": ("角色", "role"),
    # dossier user ... (dossier/cli/users.py)
    "cli.user.one_password_source": ("{options} 只能给出一个", "give only one of {options}"),
    "cli.user.password_warning": (
        "dossier：警告：--{prefix}password 会把密码留在 shell 历史和进程列表中；"
        "请改用 --{prefix}password-prompt 或 --{prefix}password-file",
        "dossier: warning: --{prefix}password leaves the password in the shell history and the "
        "process list; use --{prefix}password-prompt or --{prefix}password-file",
    ),
    "cli.user.password_file_unreadable": (
        "无法读取密码文件 {path}：{reason}",
        "cannot read the password file {path}: {reason}",
    ),
    "cli.user.password_file_not_utf8": ("不是 UTF-8 编码的文本", "it is not UTF-8 text"),
    "cli.user.password_file_empty": (
        "密码文件 {path} 是空的（密码应写在第一行）",
        "the password file {path} is empty (the password is its first line)",
    ),
    "cli.user.password_prompt": ("密码", "Password"),
    "cli.user.password_repeat": ("再输入一次密码", "Repeat the password"),
    "cli.user.added": ("已添加用户 {username}（{role}）", "user {username} ({role}) added"),
    "cli.user.added_with_password": (
        "已添加用户 {username}（{role}）；密码：{password}",
        "user {username} ({role}) added; password: {password}",
    ),
    "cli.user.active": ("启用", "active"),
    "cli.user.inactive": ("停用", "disabled"),
    "cli.user.password_changed": ("用户 {username} 的密码已更改", "password of {username} changed"),
    "cli.user.password_generated": (
        "用户 {username} 的密码已更改：{password}",
        "password of {username} changed: {password}",
    ),
    "cli.user.disabled": ("用户 {username} 已停用", "user {username} disabled"),
    "cli.user.enabled": ("用户 {username} 已启用", "user {username} enabled"),
    "cli.user.set_needs": ("请给出 --name 和/或 --role", "give --name and/or --role"),
    "cli.user.changed": ("用户 {username}：{changes}", "user {username}: {changes}"),
    "cli.user.change": ("{field} {old} → {new}", "{field} {old} -> {new}"),
    "cli.user.unchanged": ("用户 {username}：没有需要修改的内容", "user {username}: nothing to change"),
    "cli.user.token_line": (
        "{id:>4}  {prefix}…  {name:<16} 创建于 {created}  最近使用 {last_used}",
        "{id:>4}  {prefix}…  {name:<16} created {created}  last used {last_used}",
    ),
    "cli.user.never": ("从未", "never"),
    "cli.user.token_revoked_at": ("  已吊销于 {at}", "  REVOKED {at}"),
    "cli.user.no_tokens": ("用户 {username} 没有 API 令牌", "user {username} has no API tokens"),
    "cli.user.token_revoked": (
        "用户 {username} 的令牌 {prefix}… 已吊销",
        "token {prefix}… of {username} revoked",
    ),
}
