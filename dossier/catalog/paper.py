"""Messages of the paper area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Vocabularies (paper/loans.py reads its *_NAMES_ZH tables from these).
    "paper.manner.view": ("查阅", "view"),
    "paper.manner.copy": ("复制", "copy"),
    "paper.manner.take": ("借出", "take out"),
    "paper.reminder.phone": ("电话", "phone"),
    "paper.reminder.sms": ("短信", "text message"),
    "paper.reminder.visit": ("上门", "visit"),
    "paper.reminder.letter": ("书面通知", "letter"),
    "paper.reminder.other": ("其他", "other"),
    "paper.condition.intact": ("完好", "intact"),
    "paper.condition.pages_missing": ("缺页", "pages missing"),
    "paper.condition.damaged": ("损坏", "damaged"),
    "paper.kind.missing": ("缺失", "missing"),
    "paper.kind.extra": ("多出", "extra"),
    "paper.empty": ("空", "nothing"),
    # Field names in messages.
    "paper.label.location": ("柜号、盒号或位置", "cabinet, box or position"),
    "paper.label.borrower": ("借阅人姓名", "the borrower's name"),
    "paper.label.unit": ("借阅单位或户号", "the borrower's unit or household"),
    "paper.label.purpose": ("借阅目的", "the purpose"),
    "paper.label.note": ("备注", "the note"),
    "paper.label.renew_note": ("续借说明", "the renewal note"),
    "paper.label.remind_note": ("催还记录", "the reminder note"),
    "paper.label.return_note": ("归还说明", "the return note"),
    "paper.label.resolve_note": ("处理说明", "the resolution note"),
    "paper.label.manner": ("借阅方式", "the loan manner"),
    "paper.label.condition": ("归还查验结果", "the return check"),
    "paper.label.channel": ("催还方式", "the reminder channel"),
    # Loans (paper/loans.py).
    "paper.too_long": ("{what}最多 {limit} 个字", "{what}: at most {limit} characters"),
    "paper.bad_choice": (
        "{what}应为{known}之一，收到：{value}",
        "{what} must be one of {known}; got: {value}",
    ),
    "paper.original_out": (
        "文件 {document} 的纸质原件已借出，请先登记归还",
        "the paper original of document {document} is out on loan; record its return first",
    ),
    "paper.not_lent": (
        "文件 {document} 的纸质原件未借出",
        "the paper original of document {document} is not out on loan",
    ),
    "paper.no_such_loan": ("没有编号为 {loan} 的借阅登记", "there is no loan {loan}"),
    "paper.loan_returned": (
        "借阅登记 {loan} 的原件已于 {day} 归还",
        "the original of loan {loan} was returned on {day}",
    ),
    "paper.approver_needed": (
        "文件 {document} 为保密文件，借阅其原件须由具有保密查阅权限的人员批准（请指定批准人）",
        "document {document} is confidential: lending its original needs the approval of someone "
        "cleared for confidential files (name the approver)",
    ),
    "paper.approver_disabled": (
        "用户 {username} 已停用，不能批准借阅",
        "user {username} is disabled and cannot approve a loan",
    ),
    "paper.approver_not_cleared": (
        "{name} 没有保密查阅权限，不能批准此借阅",
        "{name} is not cleared for confidential files and cannot approve this loan",
    ),
    "paper.approver_wrong_secret": (
        "批准人 {name} 的密码不正确，借阅未登记",
        "the password of the approver {name} is wrong; the loan was not recorded",
    ),
    "paper.borrower_needed": ("请填写借阅人", "give the borrower"),
    "paper.destroyed": ("文件 {document} 已销毁", "document {document} has been destroyed"),
    "paper.no_location": (
        "文件 {document} 没有登记纸质原件的存放位置，请先登记存放位置",
        "document {document} has no recorded place for its paper original; record where it is kept first",
    ),
    "paper.lent_in_future": ("借出日期 {day} 还没有到", "the loan date {day} is in the future"),
    "paper.due_before_out": (
        "应还日期 {due} 早于借出日期 {out}",
        "the due date {due} is before the loan date {out}",
    ),
    "paper.already_lent": (
        "文件 {document} 的原件已借给 {borrower}（应还日期 {due}），尚未归还",
        "the original of document {document} is lent to {borrower} (due {due}) and not yet back",
    ),
    "paper.new_due_past": ("新的应还日期 {due} 已过", "the new due date {due} has passed"),
    "paper.renew_not_later": (
        "续借后的应还日期须晚于原应还日期 {due}",
        "the renewed due date must be later than the current one, {due}",
    ),
    "paper.describe_damage": (
        "原件{condition}：请说明缺少哪些页或损坏情况",
        "original {condition}: say which pages are missing or what is damaged",
    ),
    "paper.outcome.overdue": ("逾期 {days} 天未还", "overdue {days} day(s), not returned"),
    "paper.outcome.out": ("在借", "out"),
    "paper.outcome.returned_unchecked": ("已归还（未登记查验结果）", "returned (not checked)"),
    "paper.outcome.returned": ("已归还，{condition}", "returned, {condition}"),
    "paper.form_invalid": ("{message}", "{message}"),
    "paper.form_expired": (
        "表单已过期或不完整，请刷新页面后重试。",
        "the form has expired or is incomplete; reload the page and try again",
    ),
    # Inventory (paper/inventory.py).
    "paper.bad_cabinet": ("柜号应为 1 到 32 个字符", "a cabinet must have 1 to 32 characters"),
    "paper.bad_month": (
        "清点月份的格式应为 2024-01，收到：{value}",
        "the month counted must look like 2024-01; got: {value}",
    ),
    "paper.not_on_shelf": (
        "按台账，文件 {documents} 不在 {cabinet} 柜的架上（不在此柜或已借出），不能登记为缺失",
        "by the ledger, document(s) {documents} are not on the shelves of cabinet {cabinet} "
        "(kept elsewhere or lent), so cannot be recorded missing",
    ),
    "paper.no_such_count": ("没有编号为 {count} 的清点记录", "there is no inventory {count}"),
    "paper.no_such_difference": (
        "清点记录 {count} 没有第 {entry} 项差异",
        "inventory {count} has no difference number {entry}",
    ),
    "paper.resolution_needed": (
        "请说明差异如何处理（如：已在 B-03 盒找到并归位）",
        "say how the difference was settled (e.g. found in box B-03 and put back)",
    ),
    "paper.difference_resolved": (
        "清点记录 {count} 的第 {entry} 项差异已处理",
        "difference {entry} of inventory {count} is already resolved",
    ),
    # dossier loan / inventory / doc paper (dossier/cli/loans.py)
    "cli.loan.line": (
        "借阅 {loan}：文件 {document}（{household}）{title} —— {borrower}，{state}",
        "loan {loan}: document {document} ({household}) {title} — {borrower}, {state}",
    ),
    "cli.loan.returned": ("已于 {day} 归还", "returned {day}"),
    "cli.loan.returned_checked": ("已于 {day} 归还（{condition}）", "returned {day} ({condition})"),
    "cli.loan.overdue": ("逾期 {days} 天", "OVERDUE {days} day(s)"),
    "cli.loan.due": ("应还日期 {due}", "due {due}"),
    "cli.loan.past_due": (
        "注意：应还日期 {due} 已过，该借阅已计为逾期。",
        "note: the due date {due} has passed; the loan counts as overdue",
    ),
    "cli.loan.reminded": ("{line}；已催还 {count} 次", "{line}; {count} reminder(s)"),
    "cli.loan.approve_action": ("批准借阅文件 {document}", "approving the loan of document {document}"),
    "cli.loan.none_overdue": ("没有逾期未还的借阅", "no loan is overdue"),
    "cli.loan.none": ("没有借阅登记", "no loans"),
    "cli.loan.paper_needs": (
        "请给出 --cabinet/--box/--position；不保留纸质原件时用 --none",
        "give --cabinet/--box/--position, or --none when no paper original is kept",
    ),
    "cli.loan.paper_at": (
        "文件 {document}：纸质原件存放于 {cabinet} 柜，{box} 盒，位置 {position}",
        "document {document}: paper original in cabinet {cabinet}, box {box}, position {position}",
    ),
    "cli.loan.paper_none": ("文件 {document}：不保留纸质原件", "document {document}: no paper original kept"),
    "cli.inventory.none": ("没有清点记录", "no inventories"),
    "cli.inventory.no_differences": ("没有未处理的差异", "no open differences"),
    "cli.inventory.difference": (
        "清点 {count} 第 {entry} 项：{cabinet} 柜 {month} {kind} {what}",
        "count {count} #{entry}: {cabinet} {month} {kind} {what}",
    ),
    "cli.inventory.document": ("文件 {document}", "document {document}"),
    "cli.inventory.line": (
        "{cabinet} 柜 {month}：账上在架 {expected} 件，找到 {found} 件，借出 {on_loan} 件；{state}（清点人：{counted_by}）",
        "{cabinet} {month}: {found} of {expected} found, {on_loan} on loan; {state} (counted by {counted_by})",
    ),
    "cli.inventory.matches": ("帐物相符", "matches the ledger"),
    "cli.inventory.mismatch": ("缺失 {missing} 件，多出 {extra} 件", "{missing} missing, {extra} extra"),
}
