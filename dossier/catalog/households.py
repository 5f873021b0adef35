"""Messages of the households area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Vocabularies (the services' *_NAMES_ZH tables are read from these).
    "household.use.residential": ("住宅", "residential"),
    "household.use.commercial": ("商业", "commercial"),
    "household.use.office": ("办公", "office"),
    "household.status.active": ("在用", "active"),
    "household.status.closed": ("已结档", "closed"),
    "household.role.owner": ("业主", "owner"),
    "household.role.tenant": ("租户", "tenant"),
    "household.role.emergency_contact": ("紧急联系人", "emergency contact"),
    # Field names, in messages and in the access log's account of a correction.
    "household.label.code": ("户号", "household code"),
    "household.label.community": ("小区", "community"),
    "household.label.use": ("用途", "use"),
    "household.label.building": ("楼栋", "building"),
    "household.label.unit": ("单元", "unit"),
    "household.label.floor": ("楼层", "floor"),
    "household.label.room": ("房号", "room"),
    "household.label.area": ("面积", "area"),
    "household.label.note": ("说明", "the note"),
    "household.label.party": ("登记人", "party"),
    "household.party_label.role": ("身份", "role"),
    "household.party_label.name": ("姓名", "name"),
    "household.party_label.phone": ("联系电话", "phone"),
    "household.party_label.id_number": ("身份证号", "ID number"),
    "household.party_label.emergency_contact": ("紧急联络人", "emergency contact"),
    "household.party_label.emergency_phone": ("紧急联络电话", "emergency phone"),
    "household.party_label.since": ("入住日期", "move-in date"),
    "household.party_label.until": ("迁出日期", "move-out date"),
    # Households and their parties (dossier/services/households.py, household_changes.py).
    "household.bad_use": (
        "用途“{value}”不对：请选择住宅、商业或办公。",
        "unknown use {value!r}; choose residential, commercial or office",
    ),
    "household.bad_status": (
        "状态“{value}”不对：请选择在用（active）或已结档（closed）。",
        "unknown status {value!r}; choose active or closed",
    ),
    "household.bad_id_number": (
        "身份证号须为 15 位数字，或 17 位数字加一位数字或 X。",
        "the ID-card number must have 15 digits, or 17 digits and a digit or X",
    ),
    "household.bad_phone": ("“{value}”不是电话号码。", "{value!r} is not a phone number"),
    "household.bad_phone_of": ("{what}“{value}”不是电话号码。", "{what} {value!r} is not a phone number"),
    "household.no_community_yet": (
        "还没有任何小区；请先运行 `dossier init`。",
        "there is no community yet; run `dossier init` first",
    ),
    "household.no_such_community": (
        "没有名为“{name}”的小区；请核对小区名称。",
        "there is no community called {name!r}; check its name",
    ),
    "household.community_name_length": (
        "小区名称须为 1 至 128 个字。",
        "a community name must have 1 to 128 characters",
    ),
    "household.bad_code": (
        "户号“{code}”格式不对：只能用字母、数字、汉字和 - _ .，例如 A-3-1201。",
        "{code!r} is not a household code: use letters, digits, '-', '_' or '.', such as A-3-1201",
    ),
    "household.bad_area": (
        "面积“{value}”不是数字（平方米）。",
        "area {value!r} is not a number of square metres",
    ),
    "household.area_not_positive": (
        "面积须为正数（平方米）。",
        "area must be a positive number of square metres",
    ),
    "household.exists": (
        "{community}已存在户号为 {code} 的业户档案，不能重复登记。",
        "household {code} already exists in {community}",
    ),
    "household.archive_no_taken": (
        "档案编号 {archive_no} 已被使用。",
        "archive number {archive_no} is already in use",
    ),
    "household.exists_or_archive_no": (
        "业户 {code} 或其档案编号已存在。",
        "household {code} or its archive number already exists",
    ),
    "household.owner_needed": (
        "登记电话或身份证号时须同时填写业主姓名（--owner）。",
        "a phone or ID number needs an owner name (--owner)",
    ),
    "household.party_name_length": (
        "姓名须为 1 至 128 个字。",
        "a party's name must have 1 to 128 characters",
    ),
    "household.bad_party_role": (
        "身份“{value}”不对：须为业主、租户或紧急联系人。",
        "unknown party role {value!r}; choose owner, tenant or emergency_contact",
    ),
    "household.id_number_needs_key": (
        "需要载入档案主密钥才能保存身份证号。",
        "an ID number can only be stored with the archive's master key loaded",
    ),
    "household.not_found": ("没有户号为 {code} 的业户。", "there is no household {code}"),
    "household.not_found_in": (
        "{community}没有户号为 {code} 的业户。",
        "there is no household {code} in {community}",
    ),
    "household.ambiguous": (
        "户号 {code} 在多个小区都有（{names}）；请指明小区。",
        "household {code} exists in several communities ({names}); say which community",
    ),
    "household.no_such_id": ("没有编号为 {id} 的业户。", "there is no household with id {id}"),
    "household.reason_needed": (
        "请填写修改理由（1 至 {limit} 个字）。",
        "give a reason for the change (1 to {limit} characters)",
    ),
    "household.too_long": ("{what}最多 {limit} 个字。", "{what}: at most {limit} characters"),
    "household.not_editable": (
        "不能修改：{fields}（档案编号不可修改）。",
        "cannot change: {fields} (the archive number never changes)",
    ),
    "household.party_not_editable": ("不能修改：{fields}。", "cannot change: {fields}"),
    "household.bad_floor": ("楼层“{value}”不是整数。", "floor {value!r} is not a whole number"),
    "household.floor_range": ("楼层须在 -10 至 300 之间。", "the floor must be between -10 and 300"),
    "household.no_change": ("没有任何改动。", "nothing to change"),
    "household.no_such_party": (
        "业户 {code} 没有编号为 {party} 的登记人。",
        "household {code} has no party {party}",
    ),
    "household.required": ("请填写{what}。", "{what} is required"),
    "household.date_in_future": ("{what}不能晚于今天。", "{what} cannot be later than today"),
    "household.moved_out_before_in": (
        "迁出日期不能早于入住日期。",
        "the move-out date cannot be before the move-in date",
    ),
    "household.already_moved_out": ("{name} 已于 {day} 迁出。", "{name} already moved out on {day}"),
    "household.form_expired": (
        "表单已过期，请刷新页面后重试。",
        "the form has expired; reload the page and try again",
    ),
    "household.close_date_needed": ("请填写结档日期。", "give the close date"),
    # What the access log keeps of a correction (stored in Chinese).
    "household.log.change": ("{label}：{before} → {after}", "{label}: {before} → {after}"),
    "household.log.changed_secret": ("{label}已更改", "{label} changed"),
    "household.log.empty": ("（空）", "(empty)"),
    "household.log.reason": ("理由：{reason}", "reason: {reason}"),
    "household.log.party": ("{role} {name}", "{role} {name}"),
    "household.log.party_added": ("登记{party}（#{id}）", "registered {party} (#{id})"),
    "household.log.party_added_with_id": (
        "登记{party}（#{id}），已登记身份证号",
        "registered {party} (#{id}), with an ID number",
    ),
    "household.log.party_edited": ("修改{party}（#{id}）", "corrected {party} (#{id})"),
    "household.log.party_moved_out": ("{party}（#{id}）于 {day} 迁出", "{party} (#{id}) moved out on {day}"),
    "household.log.party_removed": ("删除{party}（#{id}）", "removed {party} (#{id})"),
    "community.log.with_reason": ("{detail}；理由：{reason}", "{detail}; reason: {reason}"),
    "community.log.renamed": ("小区 {code} 改名：{old} → {new}", "community {code} renamed: {old} → {new}"),
    "community.log.moved": (
        "小区 {source} 并入 {target}，档案编号 {archive_no} 不变",
        "community {source} merged into {target}; archive number {archive_no} unchanged",
    ),
    "community.log.merged": (
        "小区 {source}（{source_code}）并入 {target}（{target_code}）：{count} 户",
        "community {source} ({source_code}) merged into {target} ({target_code}): {count} households",
    ),
    "community.log.merged_codes": ("{summary}：{codes}", "{summary}: {codes}"),
    # Communities (dossier/services/communities.py).
    "community.gone": (
        "没有这个小区；请刷新页面后重试。",
        "there is no such community; reload the page and try again",
    ),
    "community.reason_too_long": (
        "理由最多 {limit} 个字。",
        "the reason may have at most {limit} characters",
    ),
    "community.same_name": ("新名称与原名称相同。", "the new name is the same as the old one"),
    "community.exists": (
        "已有小区“{name}”；如两者是同一小区，请用“合并”。",
        "there is already a community {name!r}; if both are the same community, merge them",
    ),
    "community.merge_into_itself": ("不能把小区合并到它自己。", "a community cannot be merged into itself"),
    "community.merge_clash": (
        "{target}已存在相同户号的业户档案（{codes}），不能合并；请先修改其中一方的户号。",
        "{target} already has households with the same codes ({codes}); nothing merged: "
        "change the codes on one side first",
    ),
    "community.more": ("{codes}等", "{codes} and more"),
    # dossier household ... (dossier/cli/households.py)
    "cli.household.id_number_either": (
        "--id-number 与 --clear-id-number 只能给出一个",
        "give either --id-number or --clear-id-number",
    ),
    "cli.household.merge_prompt": (
        "请输入 {target} 以确认把 {source} 并入该小区",
        "type {target} to merge {source} into it",
    ),
    "cli.household.merge_not_confirmed": (
        "输入的名称不是目标小区的名称；未合并",
        "the name typed was not the target's; nothing merged",
    ),
    "cli.household.close_either": ("--on 日期 与 --reopen 只能给出一个", "give either --on DATE or --reopen"),
    "cli.household.added": (
        "已建档：业户 {code}（编号 {id}，档案编号 {archive_no}）",
        "household {code} added (id {id}, archive number {archive_no})",
    ),
    "cli.household.none": ("没有符合条件的业户", "no households"),
    "cli.household.more": (
        "（共 {total} 户，此处列出 {shown} 户；用 --offset 查看其余）",
        "({shown} of {total}; use --offset)",
    ),
    "cli.household.show_head": (
        "{code}（{community}，档案编号 {archive_no}）",
        "{code}  ({community}, archive number {archive_no})",
    ),
    "cli.household.show_facts": (
        "  用途 {use}，楼栋 {building}，单元 {unit}，楼层 {floor}，房号 {room}，状态 {status}",
        "  use {use}, building {building}, unit {unit}, floor {floor}, room {room}, status {status}",
    ),
    "cli.household.moved_out": ("（{day} 已迁出）", "(moved out {day})"),
    "cli.household.catalog": ("  档案完整率 {percent}%：{types}", "  catalog {percent}% complete: {types}"),
    "cli.household.party_added": (
        "已登记{role} {name}：业户 {household}",
        "{role} {name} added to {household}",
    ),
    "cli.household.corrected": ("业户 {code} 已更正：{changes}", "household {code} corrected: {changes}"),
    "cli.household.party_corrected": (
        "业户 {code} 的登记人 {party} 已更正：{changes}",
        "party {party} of {code} corrected: {changes}",
    ),
    "cli.household.party_moved_out": (
        "{name} 已于 {day} 迁出业户 {household}",
        "{name} moved out of {household} on {day}",
    ),
    "cli.household.party_removed": (
        "已从业户 {household} 删除登记人 {party}",
        "party {party} removed from {household}",
    ),
    "cli.household.community_renamed": ("小区 {old} 已改名为 {new}", "community {old} renamed {new}"),
    "cli.household.community_merged": (
        "{source} 已并入 {target}：迁入 {count} 户",
        "{source} merged into {target}: {count} households moved",
    ),
    "cli.household.closed": (
        "业户 {code} 已于 {day} 结档；{count} 份文件的到期日期已变更",
        "household {code} closed on {day}; {count} disposal dates changed",
    ),
    "cli.household.reopened": (
        "业户 {code} 已重新启用；{count} 份文件的到期日期已变更",
        "household {code} reopened; {count} disposal dates changed",
    ),
}
