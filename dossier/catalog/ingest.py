"""Messages of the ingest area: ``code: (Simplified Chinese, English)``; parameters by name.

``ingest.*``: reading scans (detection, rasterising, OCR, derivatives); ``intake.*``: batches,
manifests, split stacks and the ``dossier ingest``/``batch`` commands.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    # External tools (ingest/_tools.py, rasterise.py, tesseract.py).
    "ingest.tool_missing": (
        "未安装 {tool}；请安装 {package} 软件包。",
        "{tool} is not installed; install the {package} package.",
    ),
    "ingest.tool_timeout": (
        "{tool} 处理{what}超过 {seconds} 秒仍未完成。",
        "{tool} did not finish on {what} within {seconds} seconds.",
    ),
    "ingest.tool_failed": ("{tool} 无法处理{what}：{reason}。", "{tool} could not process {what}: {reason}."),
    "ingest.exit_status": ("退出码 {status}", "exit status {status}"),
    "ingest.tool_exit_status": ("{tool} 退出码 {status}", "{tool} exit status {status}"),
    "ingest.the_input": ("输入文件", "the input"),
    "ingest.the_page_pdfs": ("各页 PDF", "the page PDFs"),
    "ingest.page_of": ("{label} 第 {page} 页", "Page {page} of {label}"),
    "ingest.text_band_of": ("{name} 的文字区域", "the text band of {name}"),
    "ingest.a_text_band": ("页面文字区域", "a page's text band"),
    # Images (ingest/_tools.py).
    "ingest.image_bomb": (
        "{label} 声明的图像过大（超过 {limit} 像素），无法安全处理；请以 300-600 dpi 重新扫描。",
        "{label} declares an image too large to process safely (over {limit} pixels); rescan it at 300-600 dpi.",
    ),
    "ingest.not_an_image": ("{label} 不是可读取的图像。", "{label} is not an image that can be read."),
    "ingest.image_damaged": (
        "{label} 已损坏或不完整，无法解码。",
        "{label} is damaged or truncated and cannot be decoded.",
    ),
    "ingest.too_many_pixels": (
        "{what} 将达 {width} × {height} 像素，超过 {limit} 像素的安全上限。",
        "{what} would be {width} x {height} pixels, over the {limit}-pixel safety limit.",
    ),
    # What a file is (ingest/detect.py).
    "ingest.file_missing": ("{label} 不存在。", "{label} does not exist."),
    "ingest.is_folder": ("{label} 是文件夹，不是文件。", "{label} is a folder, not a file."),
    "ingest.unreadable": ("无法读取 {label}（{reason}）。", "{label} cannot be read ({reason})."),
    "ingest.empty_file": (
        "{label} 是空文件（0 字节），扫描件未保存成功。",
        "{label} is empty (0 bytes); the scan did not save.",
    ),
    "ingest.not_a_scan": (
        "{label} 是{kind}，不是扫描件；本系统接收 PDF、TIFF、JPEG 和 PNG 扫描件。",
        "{label} is {kind}, not a scan; Dossier accepts PDF, TIFF, JPEG and PNG scans.",
    ),
    "ingest.kind_zip_or_office": (
        "ZIP 压缩包（或 Office 文档，其本身也是 ZIP）",
        "a ZIP archive (or an Office document, which is a ZIP)",
    ),
    "ingest.kind_empty_zip": ("空的 ZIP 压缩包", "an empty ZIP archive"),
    "ingest.kind_zip": ("ZIP 压缩包", "a ZIP archive"),
    "ingest.kind_rar": ("RAR 压缩包", "a RAR archive"),
    "ingest.kind_7z": ("7-Zip 压缩包", "a 7-Zip archive"),
    "ingest.kind_gzip": ("gzip 压缩文件", "a gzip-compressed file"),
    "ingest.kind_old_office": ("旧版 Microsoft Office 文档", "an old-format Microsoft Office document"),
    "ingest.kind_gif": ("GIF 图片", "a GIF image"),
    "ingest.kind_bmp": ("BMP 图片", "a BMP image"),
    "ingest.kind_jpeg2000": ("JPEG 2000 图片", "a JPEG 2000 image"),
    "ingest.kind_jpeg2000_codestream": ("JPEG 2000 码流", "a JPEG 2000 codestream"),
    "ingest.kind_postscript": ("PostScript 文件", "a PostScript file"),
    "ingest.kind_rtf": ("RTF 文档", "an RTF document"),
    "ingest.kind_webp": ("WebP 图片", "a WebP image"),
    "ingest.kind_heic": ("HEIC 照片（手机拍摄）", "a HEIC photo (from a phone camera)"),
    "ingest.kind_video": ("视频或 ISO 媒体文件", "a video or ISO media file"),
    "ingest.kind_html": (
        "HTML 网页（可能是另存的网页或服务器错误页）",
        "an HTML page (perhaps a saved web page or a server error page)",
    ),
    "ingest.kind_xml": ("XML 或 SVG 文档", "an XML or SVG document"),
    "ingest.kind_unknown": ("非 PDF、TIFF、JPEG 或 PNG 的文件", "not a PDF, TIFF, JPEG or PNG file"),
    "ingest.kind_text": ("文本文件", "a text file"),
    "ingest.pdf_truncated": (
        "{label} 是不完整的 PDF（文件结尾缺失）；请重新复制或上传。",
        "{label} is a truncated PDF (its end is missing); copy or upload it again.",
    ),
    "ingest.pdf_password": (
        "{label} 设有打开密码；请索取无密码的副本，或先去除密码再入库。",
        "{label} is protected by a password; ask for an unprotected copy or remove the password before intake.",
    ),
    "ingest.pdf_damaged": (
        "{label} 是已损坏的 PDF，无法读取。",
        "{label} is a damaged PDF that cannot be read.",
    ),
    "ingest.pdf_no_page_count": (
        "{label} 是已损坏的 PDF：无法读出页数。",
        "{label} is a damaged PDF: its page count cannot be read.",
    ),
    "ingest.pdf_no_pages": ("{label} 是没有页面的 PDF。", "{label} is a PDF with no pages."),
    "ingest.pdf_text_unreadable": (
        "{label}：第 {first}-{last} 页的文字无法读取。",
        "{label}: the text of pages {first}-{last} cannot be read.",
    ),
    # Rendering pages (ingest/rasterise.py).
    "ingest.not_rasterisable": (
        "{label} 不是可以转为图像的文件类型。",
        "{label} is not a kind of file that can be rasterised.",
    ),
    "ingest.render_timeout": (
        "{label} 第 {first}-{last} 页渲染超时。",
        "Pages {first}-{last} of {label} took too long to render.",
    ),
    "ingest.render_failed": (
        "{label} 无法渲染；该 PDF 可能已损坏。",
        "{label} cannot be rendered; the PDF is probably damaged.",
    ),
    "ingest.render_incomplete": (
        "{label} 第 {first}-{last} 页未能全部渲染；该 PDF 可能已损坏。",
        "Pages {first}-{last} of {label} could not all be rendered; the PDF is probably damaged.",
    ),
    "ingest.no_pages": ("{label} 不含任何页面。", "{label} contains no pages."),
    # OCR (ingest/tesseract.py).
    "ingest.ocr_models_missing": (
        "tesseract 无法加载 {models} 识别模型；请安装 tesseract-ocr-chi-sim、-chi-tra 和 -eng。",
        "tesseract cannot load the {models} models; install tesseract-ocr-chi-sim, -chi-tra and -eng.",
    ),
    "ingest.ocr_failed": (
        "tesseract 无法识别{what}（{status}）。",
        "tesseract could not read {what} ({status}).",
    ),
    # Derivatives (ingest/derivatives.py).
    "ingest.no_webp": (
        "Pillow 编译时未包含 WebP 支持；请安装 libwebp 后重新安装 Pillow。",
        "Pillow was built without WebP support; install libwebp and reinstall Pillow.",
    ),
    "ingest.no_pdf_font": (
        "缺少 tesseract 的 pdf.ttf 字体；请安装 tesseract-ocr 软件包。",
        "tesseract's pdf.ttf font is missing; install the tesseract-ocr package.",
    ),
    "ingest.no_pages_to_assemble": ("没有可合成 PDF 的页面。", "There are no pages to assemble into a PDF."),
    "ingest.page_pdf_missing": ("单页 PDF {name} 不存在。", "Page PDF {name} does not exist."),
    "ingest.not_a_page_number": (
        "{name} 的页码 {number} 无效。",
        "Page number {number} of {name} is not a page.",
    ),
    "ingest.assemble_failed": (
        "无法合成可检索的 PDF（{status}）。",
        "The searchable PDF could not be assembled ({status}).",
    ),
    "ingest.assemble_page_count": (
        "合成的可检索 PDF 有 {produced} 页，应为 {expected} 页。",
        "The searchable PDF came out with {produced} pages instead of {expected}.",
    ),
    # Batches and their files (ingest/intake.py, files.py, split.py, pipeline.py, state.py).
    "intake.log.stack_page": ("扫描批 {stack} 第 {page} 页", "stack {stack} page {page}"),
    "intake.as_recorded": ("{reason}", "{reason}"),
    "intake.batch_not_found": ("没有编号为 {id} 的批次。", "there is no batch {id}"),
    "intake.no_file": ("{name} 未指向任何文件。", "{name} names no file"),
    "intake.duplicate_of": ("已在档案中，文件编号 {id}。", "already in the archive as document {id}"),
    "intake.too_many_pages": (
        "{name} 有 {pages} 页，超过单个文件最多 {max} 页的限制（DOSSIER_MAX_PAGES）；请拆成较小的文件。",
        "{name} has {pages} pages, more than the {max} one file may have (DOSSIER_MAX_PAGES); "
        "split it into smaller files",
    ),
    "intake.not_yes_no": ("{what} 的值 {value} 不是“是”或“否”。", "{what} {value} is not yes or no"),
    "intake.low_dpi": (
        "第 {page} 页仅 {dpi} dpi，低于 {minimum} dpi",
        "page {page}: {dpi} dpi, under {minimum}",
    ),
    "intake.internal_error": ("内部错误（{kind}）", "internal error ({kind})"),
    "intake.stopped": (
        "处理已中断 {attempts} 次，未能完成",
        "processing stopped {attempts} times without finishing",
    ),
    # Manifests (ingest/intake.py, manifests.py, webapp/uploads.py).
    "intake.manifest_unreadable": (
        "无法读取清单 {name}（{reason}）。",
        "manifest {name} cannot be read ({reason})",
    ),
    "intake.manifest_empty": ("清单 {name} 是空的。", "manifest {name} is empty"),
    "intake.manifest_columns": (
        "清单 {name} 的第一行缺少列：{columns}。",
        "manifest {name} lacks the column(s) {columns} in its first row",
    ),
    "intake.manifest_no_files": ("清单 {name} 没有列出任何文件。", "manifest {name} lists no files"),
    "intake.manifest_too_big": (
        "清单 {name} 超过 {mb} MB，请确认是否选错了文件。",
        "manifest {name} is over {mb} MB; is it the right file?",
    ),
    "intake.manifest_bad_name": ("清单 {name} 的文件名无法使用。", "manifest {name} has an unusable name"),
    "intake.manifest_inconsistent": (
        "清单 {name} 无法一致地读取；请重新另存为 CSV。",
        "manifest {name} could not be read consistently; save it again as CSV",
    ),
    "intake.row_label": ("（第 {row} 行）", "(row {row})"),
    "intake.row_date": ("第 {row} 行的日期", "row {row} date"),
    "intake.row_confidential": ("第 {row} 行的“保密”", "row {row} confidential"),
    "intake.row_no_file": ("清单第 {row} 行没有填写文件。", "manifest row {row} names no file"),
    "intake.row_outside": (
        "清单第 {row} 行指向清单所在文件夹之外。",
        "manifest row {row} points outside the manifest's folder",
    ),
    "intake.row_missing_file": (
        "清单第 {row} 行的文件 {name} 不存在。",
        "manifest row {row} names {name}, which does not exist",
    ),
    "intake.row_no_household": ("清单第 {row} 行没有填写户号。", "manifest row {row} names no household"),
    "intake.row_no_type": ("清单第 {row} 行没有填写文件类型。", "manifest row {row} names no document type"),
    "intake.row_ambiguous_upload": (
        "清单第 {row} 行的 {name} 对应 {count} 个上传的文件；请同时写明其文件夹（如 box1/{name}）。",
        "manifest row {row} names {name}, which matches {count} uploaded files; "
        "name its folder too (e.g. box1/{name})",
    ),
    "intake.row_not_uploaded": (
        "清单第 {row} 行的 {name} 没有上传。",
        "manifest row {row} names {name}, which was not uploaded",
    ),
    "intake.not_in_manifest": ("清单中没有列出此文件。", "not listed in the manifest"),
    # Where files go (ingest/names.py): these are shown beside the upload form's fields.
    "intake.type_missing": ("未填写文件类型。", "no document type is given."),
    "intake.type_choose": ("请选择文件类型。", "choose a document type."),
    "intake.type_ambiguous": (
        "文件类型“{value}”对应多个类型（{codes}），请改填类型代码。",
        "the document type {value!r} names several types ({codes}); give the type's code instead.",
    ),
    "intake.type_unknown": (
        "没有名为“{value}”的文件类型。可填写：{known}（或其代码）。",
        "there is no document type called {value!r}. Use one of: {known} (or its code).",
    ),
    "intake.retention_missing": ("未填写保管期限。", "no retention class is given."),
    "intake.household_missing": (
        "请填写户号，或上传批量清单。",
        "give a household code, or upload a manifest.",
    ),
    "intake.community_unknown": ("没有名为“{value}”的小区。", "there is no community called {value!r}."),
    "intake.household_unknown": (
        "档案中没有户号 {code}，请核对户号，或先建立业户档案。",
        "there is no household {code} in the archive; check the code, or add the household first.",
    ),
    "intake.household_unknown_in": (
        "档案中没有户号 {code}（{community}），请核对户号，或先建立业户档案。",
        "there is no household {code} ({community}) in the archive; check the code, or add the household first.",
    ),
    "intake.household_ambiguous": (
        "户号 {code} 在多个小区都有（{names}），请填写小区。",
        "household {code} exists in several communities ({names}); give the community.",
    ),
    "intake.document_date": ("文件日期", "document date"),
    # Stacks split at cover sheets (ingest/separate.py, split.py, stackpages.py).
    "intake.before_first_sheet": (
        "这些页面在第一张封面之前，无法确定归属。",
        "pages before the first cover sheet",
    ),
    "intake.sheet_unreadable": ("前一张封面的二维码无法识读。", "a cover sheet whose QR code cannot be read"),
    "intake.sheet_household_unknown": (
        "封面上的户号 {household}（{community}）不在档案中。",
        "the cover sheet names household {household} of community {community}, which is not in the archive",
    ),
    "intake.sheet_type_unknown": (
        "封面上的文件类型 {type} 在档案中不存在。",
        "the cover sheet names the document type {type}, which the archive does not know",
    ),
    "intake.stack_single_image": (
        "{label} 是单张图片；按封面拆分的扫描件须为 PDF 或多页 TIFF。",
        "{label} is a single image; a stack to split must be a PDF or a multi-page TIFF",
    ),
    "intake.stack_unreadable": (
        "已整体保存为扫描批件 {id}，但无法读取其页面以进行拆分：{reason}",
        "stored whole as stack {id}, but its pages cannot be read to split it: {reason}",
    ),
    "intake.part_name": ("{name} 第 {pages} 页", "{name} p. {pages}"),
    "intake.part_not_filed": ("这些页面未能归档：{reason}", "the pages could not be filed: {reason}"),
    "intake.no_pages_asked": ("没有指定 {label} 的任何页面。", "no pages of {label} were asked for"),
    "intake.splitting": ("拆分 {label}", "Splitting {label}"),
    "intake.pages_not_copied": (
        "无法从 PDF {label} 中复制出第 {pages} 页。",
        "pages {pages} of {label} cannot be copied out of the PDF",
    ),
    "intake.no_such_pages": ("{label} 没有第 {pages} 页。", "{label} has no pages {pages}"),
    "intake.no_unfiled_item": (
        "没有编号为 {id} 的待归档页面。",
        "there are no unfiled pages with number {id}",
    ),
    "intake.already_filed": ("页面 {name} 已经归档。", "the pages {name} are already filed"),
    "intake.filed_by": ("由 {who} 归档（原待归档原因：{was}）", "filed by {who} (was unfiled: {was})"),
    "intake.unfiled_not_found": (
        "批次 {batch} 中没有编号为 {item} 的待归档页面。",
        "batch {batch} has no unfiled pages numbered {item}",
    ),
    "intake.unfiled_no_page": (
        "这段待归档页面中没有第 {page} 页。",
        "these unfiled pages have no page {page}",
    ),
    # dossier ingest / batch / worker (dossier/cli/ingest.py).
    "intake.cli_manifest_or_household": (
        "请给出 --manifest 或 --household/--type，不要同时给出。",
        "give either --manifest or --household/--type, not both",
    ),
    "intake.cli_split_only_files": (
        "使用 --split 时由封面说明每份文件的归属；请只给出扫描件。",
        "with --split the cover sheets say where each document goes; give only the stack files",
    ),
    "intake.cli_split_needs_files": (
        "请至少给出一份要拆分的扫描件。",
        "name at least one scanned stack to split",
    ),
    "intake.cli_no_files_found": ("在给出的文件夹中没有找到文件。", "no files found in the given folders"),
    "intake.cli_manifest_no_paths": (
        "使用 --manifest 时文件来自清单；请不要再给出路径。",
        "with --manifest the files come from the manifest; give no paths",
    ),
    "intake.cli_no_paths": (
        "请至少给出一个要入库的文件或文件夹。",
        "name at least one file or folder to take in",
    ),
    "intake.cli_household_and_type": (
        "需要 --household 和 --type（或 --manifest）。",
        "--household and --type are needed (or a --manifest)",
    ),
    "intake.cli_batch": ("批次 {id}：", "batch {id}:"),
    "intake.cli_warning": ("提示：{warning}", "warning: {warning}"),
    "intake.cli_pages": ("{pages} 页", "{pages} p."),
    "intake.cli_status.indexed": ("已索引", "indexed"),
    "intake.cli_status.queued": ("排队中", "queued"),
    "intake.cli_status.processing": ("处理中", "processing"),
    "intake.cli_status.duplicate": ("重复", "duplicate"),
    "intake.cli_status.rejected": ("已拒收", "REJECTED"),
    "intake.cli_status.failed": ("失败", "FAILED"),
    "intake.cli_status.destroyed": ("已销毁", "destroyed"),
    "intake.cli_status.unfiled": ("待归档", "UNFILED"),
    "intake.cli_status.separator": ("封面页", "sheet"),
    "intake.cli_status.blank": ("空白背面", "blank"),
    "intake.cli_ocr": ("识别", "OCR"),
    "intake.worker_swept": (
        "已清除 {count} 个由意外退出的进程遗留的工作文件夹",
        "removed {count} working folder(s) left by a process that died",
    ),
    "intake.worker_running": (
        "后台处理服务已启动，{processes} 个进程；队列：{queue}",
        "worker running with {processes} process(es); queue: {queue}",
    ),
    "intake.cli_progress": ("{n}/{total} 页", "{n}/{total} pages"),
    "intake.cli_progress_docs": ("{done}/{total} 份文件", "{done}/{total} documents"),
    "intake.cli_progress_rate": ("每分钟 {rate} 页", "{rate} pages/min"),
    # dossier doc show / export / edit / history (dossier/cli/ingest.py).
    "doc.cli_page": (
        "第 {number} 页（{source}，置信度 {confidence}）",
        "page {number} ({source}, confidence {confidence})",
    ),
    "doc.cli_text_layer": ("文字层", "text layer"),
    "doc.cli_exported": (
        "已将文件 {id} 导出到 {file}\n  签名记录 {record}\n  公钥 {key}（指纹 {fingerprint}）",
        "exported document {id} to {file}\n  signed record {record}\n  public key {key} (fingerprint {fingerprint})",
    ),
    "doc.cli_corrected": ("已更正文件 {id}（{changes}）", "document {id} corrected ({changes})"),
    "doc.cli_no_history": ("没有修改记录", "no history"),
    "doc.cli_system": ("系统", "the system"),
    "doc.cli_reason": ("理由：{reason}", "reason: {reason}"),
}
