"""Messages of the retention area: ``code: (Simplified Chinese, English)``; parameters by name."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Retention classes (保管期限)
    "retention.class_unknown": ("没有保管期限“{code}”。", "there is no retention class '{code}'"),
    "retention.trigger_unknown": (
        "未知的起算方式“{value}”；请选择 document_date（自文件日期起算）或 household_closed（自业户结档起算）。",
        "unknown trigger '{value}'; choose document_date or household_closed",
    ),
    "retention.permanent_with_years": (
        "永久保管没有保管年限；请只给出 --years 或 --permanent 之一。",
        "a permanent class has no period in years; give either --years or --permanent",
    ),
    "retention.years_needed": (
        "请给出保管年限（--years N）或注明永久保管（--permanent）。",
        "give the period in years (--years N) or say the class is permanent (--permanent)",
    ),
    "retention.years_not_number": (
        "保管年限“{value}”不是整数年。",
        "the period '{value}' is not a whole number of years",
    ),
    "retention.years_negative": (
        "保管年限不能为负数（{years} 年）。",
        "a retention period cannot be negative ({years} years)",
    ),
    "retention.years_range": (
        "保管年限须为 1 至 {max} 年，或永久。",
        "a retention period must be 1 to {max} years, or permanent",
    ),
    "retention.class_name_length": (
        "保管期限名称须为 1 至 64 个字符。",
        "a retention class name must have 1 to 64 characters",
    ),
    "retention.class_code_invalid": (
        "“{code}”不是有效的期限代码：请用不超过 16 位的大写字母和数字，例如 D10。",
        "'{code}' is not a class code: use up to 16 capital letters and digits, such as D10",
    ),
    "retention.trigger_document_date": ("自文件日期起算", "from the document's date"),
    "retention.trigger_household_closed": ("自业户结档起算", "from the day the household closed"),
    "retention.class_exists": ("保管期限 {code} 已存在。", "retention class {code} already exists"),
    # Holds (冻结)
    "retention.hold_reason_length": (
        "冻结须填写理由（1 至 500 个字符）。",
        "a hold needs a reason of 1 to 500 characters",
    ),
    "retention.hold_scope": (
        "冻结对象为一户或一件文件，须且只能指定其中之一。",
        "a hold covers either one household or one document; name exactly one",
    ),
    "retention.hold_name_one": (
        "请指定要冻结的业户或文件（二者选一）。",
        "name either a household or a document to hold",
    ),
    "retention.document_destroyed": ("文件 {id} 已被销毁。", "document {id} has already been destroyed"),
    "retention.hold_unknown": ("没有编号为 {id} 的冻结。", "there is no hold {id}"),
    "retention.hold_already_released": (
        "冻结 {id} 已于 {date} 解除。",
        "hold {id} was already released on {date}",
    ),
    # Destruction lists (销毁清册)
    "retention.status_proposed": ("待审核", "proposed"),
    "retention.status_approved": ("已批准", "approved"),
    "retention.status_executed": ("已销毁", "executed"),
    "retention.state_pending": ("待销毁", "pending"),
    "retention.state_struck": ("已剔除", "struck"),
    "retention.state_destroyed": ("已销毁", "destroyed"),
    "retention.nothing_due": (
        "截至 {date} 没有可列入清册的到期文件（已冻结或已列入其他清册的除外）。",
        "no document is due for destruction on {date} that is not held or already on a list",
    ),
    "retention.number_race": (
        "另一份销毁清册恰好同时编号；请重新编制。",
        "another list was numbered at the same moment; propose again",
    ),
    "retention.list_unknown": ("没有编号为 {number} 的销毁清册。", "there is no destruction list {number}"),
    "retention.list_id_unknown": (
        "没有内部编号为 {id} 的销毁清册。",
        "there is no destruction list with id {id}",
    ),
    "retention.list_status_unknown": (
        "未知的清册状态“{status}”；请选择 proposed（待审核）、approved（已批准）或 executed（已销毁）。",
        "unknown list status '{status}'; choose proposed, approved or executed",
    ),
    "retention.own_list": (
        "{name} 是销毁清册 {number} 的编制人，不能审核；须由另一位档案销毁审批人审核。",
        "{name} proposed list {number} and so cannot review it; another retention officer must",
    ),
    "retention.list_not_proposed": (
        "销毁清册 {number} 的状态为“{status}”，不在待审核状态。",
        "list {number} is {status}, not awaiting review",
    ),
    "retention.strike_reason_length": (
        "剔除须填写理由（1 至 500 个字符）。",
        "striking an item needs a reason of 1 to 500 characters",
    ),
    "retention.no_document_named": ("未指定文件。", "no document was named"),
    "retention.not_on_list": (
        "文件 {id} 不在销毁清册 {number} 中。",
        "document {id} is not on list {number}",
    ),
    "retention.item_not_pending": (
        "文件 {id} 在销毁清册 {number} 中已是“{state}”状态。",
        "document {id} is already {state} on list {number}",
    ),
    "retention.extension_range": ("延长保管须为 1 至 {max} 年。", "an extension must be 1 to {max} years"),
    "retention.struck_extended": ("{reason}（延长保管{years}年）", "{reason} (kept {years} more years)"),
    "retention.form_error": ("{message}", "{message}"),
    "retention.form_expired": (
        "表单已过期或填写不完整，请刷新页面后重试。",
        "the form has expired or is incomplete; reload the page",
    ),
    "retention.export_format_unknown": (
        "未知的导出格式“{fmt}”；请选择 csv 或 xlsx。",
        "unknown export format '{fmt}'; choose csv or xlsx",
    ),
    # What the access log (查阅登记) records as the detail of an act
    "retention.detail_hold": ("冻结 {id}", "hold {id}"),
    "retention.detail_proposed": ("{number}：{count} 件", "{number}: {count} documents"),
    # Execution (执行销毁)
    "retention.not_approved": (
        "销毁清册 {number} 尚未批准，须由档案销毁审批人审核后才能执行。",
        "list {number} has not been approved; a retention officer must review it first",
    ),
    "retention.confirm_mismatch": (
        "请输入清册编号 {number} 以确认销毁；输入的编号不符，未执行。",
        "type the list number {number} to confirm the destruction; the number typed differs, nothing was done",
    ),
    "retention.already_executed": (
        "销毁清册 {number} 已执行完毕。",
        "list {number} has already been executed",
    ),
    "retention.blocked_held": (
        "已冻结：{reason}（冻结编号 {id}，冻结人 {by}）",
        "held: {reason} (hold {id}, placed by {by})",
    ),
    "retention.blocked_not_due": ("{date} 才到期", "not due until {date}"),
    "retention.blocked_not_started": ("保管期限尚未开始起算", "not due until its retention period starts"),
    "retention.blocked_processing": (
        "文件正在由后台服务处理；请稍后再次执行。",
        "being processed by a worker; run execute again later",
    ),
    "retention.blocked_changed": (
        "文件内容已不是审批人审核时的内容。",
        "its content is not the one the reviewer approved",
    ),
    "retention.blocked_taken": (
        "文件期间被后台服务或另一次执行占用；请稍后再次执行。",
        "taken by a worker or another run meanwhile; run execute again later",
    ),
    "retention.run_again": ("{message}；请再次执行。", "{message}; run execute again"),
    "retention.record_refused": (
        "目录拒绝了销毁记录（{kind}）；请再次执行。",
        "the catalog refused the destruction record ({kind}); run execute again",
    ),
    "retention.already_destroyed_by": ("已由销毁清册 {list} 销毁", "already destroyed by list {list}"),
    "retention.stack_changed": (
        "整叠扫描件 {id} 期间已被另一次执行改动；请再次执行。",
        "the scanned stack {id} was changed by another run meanwhile; run again",
    ),
    "retention.job.title": ("执行销毁", "destruction"),
    "retention.job_pending": (
        "本次销毁电子文件 {destroyed} 件；{pending} 件仍待销毁（可再次执行）：{reasons}",
        "{destroyed} electronic documents destroyed now; {pending} still pending (run again): {reasons}",
    ),
    "retention.job_done": (
        "销毁清册 {number} 已执行，本次销毁电子文件 {destroyed} 件。",
        "list {number} executed; {destroyed} electronic documents destroyed now",
    ),
    # Paper originals (纸质原件销毁)
    "retention.name_length": ("{what}须为 1 至 128 个字符。", "{what} must have 1 to 128 characters"),
    "retention.what_shredder": ("销毁人姓名", "the name of who shredded the paper"),
    "retention.what_witness": ("监销人姓名", "a witness's name"),
    "retention.what_method": ("销毁方式", "the method of destruction"),
    "retention.paper_not_approved": (
        "销毁清册 {number} 尚未批准，纸质原件暂不能销毁。",
        "list {number} has not been approved; its paper cannot be destroyed yet",
    ),
    "retention.shredder_is_witness": (
        "销毁人不能同时担任监销人。",
        "the person who shreds the paper cannot also be one of its witnesses",
    ),
    "retention.too_few_witnesses": (
        "纸质原件销毁须有至少 {min} 名不同的监销人。",
        "paper destruction needs at least {min} different witnesses (监销人)",
    ),
    "retention.paper_date_future": (
        "销毁日期 {date} 晚于今天。",
        "the destruction date {date} is in the future",
    ),
    "retention.paper_date_before_approval": (
        "销毁日期 {date} 早于销毁清册 {number} 的批准日期。",
        "the destruction date {date} is before list {number} was approved",
    ),
    "retention.paper_not_waiting": (
        "文件 {id} 在销毁清册 {number} 中没有待销毁的纸质原件。",
        "document {id} has no paper original waiting to be destroyed on list {number}",
    ),
    "retention.no_paper_waiting": (
        "销毁清册 {number} 中没有待销毁的纸质原件。",
        "no paper original on list {number} is waiting to be destroyed",
    ),
    "retention.paper_held": (
        "文件 {id} 已冻结（{reason}），其纸质原件须保留。",
        "document {id} is held ({reason}); its paper must be kept",
    ),
    # Retention schedule of one document or household
    "retention.close_date_future": ("结档日期 {date} 晚于今天。", "the close date {date} is in the future"),
    "retention.close_date_before_documents": (
        "业户 {code} 不能在 {date} 结档：档案中有 {latest} 的文件。",
        "household {code} cannot close on {date}: its folder holds a document of {latest}",
    ),
    # The shredding log (销毁记录) and its export
    "retention.export_not_shredlog": (
        "该文件不是 `dossier shredlog export` 导出的销毁日志。",
        "the shredding-log file is not an export of `dossier shredlog export`",
    ),
    "retention.export_bad_line": (
        "销毁日志文件第 {line} 行不是日志条目。",
        "line {line} of the shredding-log file is not a log entry",
    ),
    "retention.export_out_of_sequence": ("序号不连续", "it is out of sequence"),
    "retention.export_not_following": ("未接续上一条", "it does not follow the previous entry"),
    "retention.export_fails_at": (
        "销毁日志文件在第 {seq} 条出错：{problem}",
        "the shredding-log file fails at entry {seq}: {problem}",
    ),
    "retention.export_cut_off": (
        "销毁日志文件在其记录的链头之前结束（条目被截掉）。",
        "the shredding-log file ends before its recorded head (entries cut off)",
    ),
    "retention.export_head_unsigned": (
        "销毁日志文件的链头没有档案库密钥的签名（条目被截掉，或文件不是由 `dossier shredlog export` 导出）。",
        "the shredding-log file's head is not signed by the archive's key (entries cut off "
        "or the file was not exported by `dossier shredlog export`)",
    ),
    "retention.replay_diverges": (
        "销毁日志文件与本备份的日志不衔接（第 {seq} 条不同）。",
        "the shredding-log file does not continue this backup's log (entry {seq} differs)",
    ),
    "retention.replay_older": (
        "销毁日志文件比备份自身的日志旧。",
        "the shredding-log file is older than the backup's own log",
    ),
    "retention.replay_head": (
        "恢复后的销毁日志链头不是第 {seq} 条；请运行 `dossier shredlog verify`。",
        "the restored shredding log's head is not entry {seq}; run `dossier shredlog verify`",
    ),
    "retention.file_exists": ("{path} 已存在；请换一个新文件名。", "{path} exists; choose a new file"),
    # Certificate of destruction (销毁证明) and downloads
    "retention.certificate_title": ("销毁证明", "certificate of destruction"),
    "retention.list_title": ("销毁清册", "destruction list"),
    "retention.certificate_file": ("销毁证明-{number}", "certificate-{number}"),
    "retention.list_file": ("销毁清册-{number}", "destruction-list-{number}"),
    "retention.paper_line": (
        "{date} {method}，销毁人 {shredder}，监销人 {witnesses}，共 {count} 件",
        "{date} {method}, shredded by {shredder}, witnesses {witnesses}, {count} item(s)",
    ),
    "retention.log_range": ("{entries} 条（序号 {seqs}）", "{entries} entries (seq {seqs})"),
    # The command line
    "retention.cli.class_line": (
        "{code:<8} {period:<6} {trigger}  {name}",
        "{code:<8} {period:<6} {trigger}  {name}",
    ),
    "retention.cli.class_added": (
        "已添加保管期限 {code}（{period}，{trigger}）",
        "retention class {code} added ({period}, {trigger})",
    ),
    "retention.cli.class_changed": (
        "已修改保管期限 {code}；重新计算了 {changed} 件文件的到期日期",
        "retention class {code} changed; {changed} disposal dates recomputed",
    ),
    "retention.cli.class_or_default": (
        "请指定保管期限，或使用 --default。",
        "name a class, or give --default",
    ),
    "retention.cli.type_default": ("（按文件类型默认）", "(type default)"),
    "retention.cli.none": ("无", "none"),
    "retention.cli.document_class": (
        "文件 {id}：保管期限 {code}，到期日期 {date}",
        "document {id}: class {code}, disposal date {date}",
    ),
    "retention.cli.recomputed": ("{changed} 件文件的到期日期已改变", "{changed} disposal dates changed"),
    "retention.cli.due_line": (
        "#{id:<6} {no} {household:<12} {type} {title}  {date}  {code} {disposal} 到期{paper}",
        "#{id:<6} {no} {household:<12} {type} {title}  {date}  {code} due {disposal}{paper}",
    ),
    "retention.cli.paper_kept": ("（纸质原件在库）", "  (paper kept)"),
    "retention.cli.nothing_due": ("没有到期的文件", "no document is due"),
    "retention.cli.list_head": (
        "{number}  {status}  编制人 {proposer} {day}{approved}  （共 {total} 件：待销毁 {pending}，已剔除 {struck}，已销毁 {destroyed}）",
        "{number}  {status}  proposed by {proposer} {day}{approved}  ({total} items: {pending} pending, "
        "{struck} struck, {destroyed} destroyed)",
    ),
    "retention.cli.approved_by": ("，审批人 {name}", ", approved by {name}"),
    "retention.cli.item_paper": ("  纸质原件：{location}", "  paper: {location}"),
    "retention.cli.item_line": (
        "  #{id:<6} {no} {state:<5} {household:<12} {type} {title}  {date}  {code} {disposal} 到期{paper}{note}",
        "  #{id:<6} {no} {state:<9} {household:<12} {type} {title}  {date}  {code} due {disposal}{paper}{note}",
    ),
    "retention.cli.no_lists": ("没有销毁清册", "no destruction lists"),
    "retention.cli.exclude_needs_reason": (
        "每个 --exclude 都须有 --reason。",
        "each --exclude needs a --reason",
    ),
    "retention.cli.reason_without_exclude": (
        "--reason 须与 --exclude 一起使用。",
        "--reason goes with --exclude",
    ),
    "retention.cli.reason_count": (
        "请为所有剔除的文件给出一个 --reason，或为每个 --exclude 各给一个。",
        "give one --reason for all excluded documents, or one per --exclude",
    ),
    "retention.cli.approving": ("审批销毁清册 {number}", "approving list {number}"),
    "retention.cli.approved": ("销毁清册 {number} 已由 {name} 批准", "list {number} approved by {name}"),
    "retention.cli.executed": (
        "销毁清册 {number}：本次销毁 {now} 件，此前已销毁 {earlier} 件，剔除 {struck} 件，"
        "仍待销毁 {pending} 件；清册状态：{status}",
        "list {number}: {now} destroyed now, {earlier} earlier, {struck} struck, {pending} still pending; "
        "list {status}",
    ),
    "retention.cli.pending_line": ("  待销毁 #{id}：{reason}", "  pending #{id}: {reason}"),
    "retention.cli.storage_failed": (
        "销毁清册 {number} 有 {count} 件文件存储操作失败，仍待销毁：请再次执行",
        "storage failed for {count} item(s) of list {number}; they stay pending: run execute again",
    ),
    "retention.cli.not_destroyed": (
        "销毁清册 {number} 有 {count} 件文件未销毁；文件 {id}：{reason}",
        "{count} item(s) of list {number} were not destroyed; document {id}: {reason}",
    ),
    "retention.cli.paper_recorded": (
        "已登记销毁清册 {number} 中 {count} 件纸质原件于 {date} 销毁（{method}；监销人 {witnesses}）",
        "paper of {count} document(s) on list {number} recorded as destroyed on {date} "
        "({method}; witnesses {witnesses})",
    ),
    "retention.cli.written": ("销毁清册 {number} 已写入 {path}", "list {number} written to {path}"),
    "retention.cli.household_or_document": (
        "请指定 --household CODE 或 --document ID（二者选一）。",
        "name either --household CODE or --document ID",
    ),
    "retention.cli.hold_placed_household": (
        "已冻结（编号 {id}）：业户 {household}",
        "hold {id} placed on household {household}",
    ),
    "retention.cli.hold_placed_document": (
        "已冻结（编号 {id}）：文件 {document}",
        "hold {id} placed on document {document}",
    ),
    "retention.cli.hold_released": ("冻结 {id} 已解除", "hold {id} released"),
    "retention.cli.hold_active": ("冻结中", "active"),
    "retention.cli.hold_released_state": ("已解除", "released"),
    "retention.cli.whole_household": ("（整户）", " (whole household)"),
    "retention.cli.hold_line": (
        "{id:<5} {state} {household}{scope}  {reason}  —— {by} {day}",
        "{id:<5} {state} {household}{scope}  {reason}  — {by} {day}",
    ),
    "retention.cli.no_holds": ("没有冻结", "no holds"),
    "retention.cli.log_intact": ("销毁日志完好：共 {entries} 条", "shredding log intact: {entries} entries"),
    "retention.cli.log_broken": (
        "销毁日志在第 {seq} 条处断开：{problem}",
        "the shredding log is broken at entry {seq}: {problem}",
    ),
    "retention.cli.log_empty": ("销毁日志为空", "the shredding log is empty"),
    "retention.cli.log_kind_electronic": ("电子文件", "electronic"),
    "retention.cli.log_kind_paper": ("纸质原件", "paper"),
    "retention.cli.log_exported": ("已将 {entries} 条写入 {path}", "{entries} entries written to {path}"),
}
