"""Character data for telling Simplified from Traditional Chinese pages.

``SIMPLIFIED_TO_TRADITIONAL`` pairs common Simplified characters with their Traditional form
where the two are different glyphs (业/業, 费/費, 号/號, 钥/鑰 ...). The OCR step reads a few
lines with the Simplified model, which answers with Simplified characters whatever the page
holds, then looks at the *pixels* of every character in this table and asks whether they look
more like the Simplified or the Traditional glyph. Confidence scores cannot answer that: both
tesseract models read the other script's glyphs with high confidence (only the characters they
output differ), so the decision is made on the image.

The table covers the vocabulary of property-management records (fees, meters, units,
renovation, contracts, common surnames) and the most frequent characters of running text.
Characters whose Simplified form is also normal in Traditional text (表, 准, 只, 面, 里, 系,
余, 占, 才 ...) are left out: they carry no evidence. The Traditional forms were generated with
ICU's Hans-Hant transliterator (``uconv -x Hans-Hant``) from a hand-made list; regenerate the
same way if the list grows.
"""

from __future__ import annotations

_PAIRS = (
    "万萬与與专專业業东東两兩个個临臨为為丽麗么麼义義乡鄉书書买買争爭于於云雲产產亲親从從们們价價伟偉传傳体體关關内內农農冯馮冲衝决決"
    "刘劉别別办辦务務动動区區华華协協单單卖賣卧臥卫衛厂廠厅廳历歷压壓厌厭厨廚县縣发發变變叶葉号號叹嘆后後吓嚇吗嗎听聽吴吳员員响響团團"
    "园園围圍国國图圖场場坏壞块塊坚堅坛壇坝壩垒壘垦墾垫墊墙牆壮壯声聲壳殼处處备備复復够夠头頭夺奪奋奮奖獎妇婦妈媽娱娛孙孫学學宁寧宝寶"
    "实實宠寵审審宪憲宫宮宽寬宾賓对對寻尋导導寿壽将將尔爾尘塵尝嘗层層属屬岁歲岗崗岛島岭嶺峡峽币幣师師帐帳帘簾带帶帮幫并並广廣庆慶庐廬"
    "库庫应應废廢开開异異弃棄张張弯彎弹彈强強归歸当當录錄彻徹径徑忆憶忧憂怀懷态態怜憐总總恋戀恳懇恶惡恼惱悬懸惊驚惨慘惯慣愿願懒懶戏戲"
    "战戰户戶扑撲执執扩擴扫掃扬揚抚撫抛拋抢搶护護报報担擔拟擬拢攏拣揀拥擁拦攔拨撥择擇挂掛挡擋挤擠挥揮损損捡撿换換据據掷擲揽攬摄攝摆擺"
    "摇搖摊攤撑撐数數斩斬断斷无無旧舊时時旷曠昼晝显顯晋晉晒曬晓曉晕暈暂暫术術朴樸机機杀殺杂雜权權杆桿条條来來杨楊杰傑极極构構枪槍柜櫃"
    "标標栈棧栋棟栏欄树樹样樣档檔桥橋梦夢检檢楼樓横橫欢歡欧歐残殘毁毀毕畢毙斃气氣汇匯汉漢汤湯沟溝没沒沪滬泻瀉泼潑泽澤洁潔洒灑浅淺浆漿"
    "浇澆测測济濟浑渾浓濃涂塗涛濤涝澇润潤涨漲涩澀渊淵渐漸湾灣溃潰溅濺滚滾滞滯满滿滤濾滥濫滨濱滩灘潜潛澜瀾灭滅灯燈灵靈灾災灿燦炉爐点點"
    "炼煉烂爛烛燭烟煙烦煩烧燒烫燙热熱焕煥爱愛爷爺牵牽状狀犹猶独獨狭狹狮獅狱獄猎獵猪豬猫貓献獻玛瑪环環现現琐瑣电電画畫畅暢疗療疮瘡疯瘋"
    "痒癢瘫癱皱皺盏盞盐鹽监監盖蓋盘盤矿礦码碼砖磚础礎硕碩确確碍礙礼禮祸禍离離秃禿秆稈种種积積称稱税稅稳穩穷窮窃竊窍竅窝窩竞競笋筍笔筆"
    "笼籠筑築筹籌签簽简簡类類粮糧紧緊纠糾红紅纤纖约約级級纪紀纯純纱紗纲綱纳納纵縱纷紛纸紙纹紋纺紡线線练練组組绅紳细細织織终終绊絆绍紹"
    "经經绑綁绒絨结結绕繞绘繪给給络絡绝絕绞絞统統绢絹绣繡继繼绩績绪緒续續绳繩维維绵綿绸綢综綜绿綠缀綴缆纜缓緩编編缘緣缝縫缠纏缩縮缴繳"
    "网網罗羅罚罰罢罷职職联聯聪聰肃肅肠腸肤膚肾腎肿腫胀脹胁脅胆膽胜勝胶膠脉脈脏髒脑腦腊臘腻膩舰艦舱艙艰艱艺藝节節芦蘆苍蒼苏蘇苹蘋范範"
    "茎莖荐薦荣榮药藥莱萊获獲莹瑩萝蘿营營蒋蔣蓝藍虏虜虑慮虫蟲虽雖虾蝦蚀蝕蛮蠻蜡蠟补補衬襯袄襖袜襪袭襲装裝见見观觀规規觅覓视視览覽觉覺"
    "触觸誉譽计計订訂认認讥譏讨討让讓训訓议議讯訊记記讲講讳諱许許论論讽諷设設访訪诀訣证證评評识識诈詐诉訴诊診词詞译譯试試诗詩诚誠话話"
    "诞誕询詢该該详詳语語误誤诱誘说說请請诸諸诺諾读讀课課谁誰调調谅諒谈談谊誼谋謀谎謊谐諧谓謂谜謎谢謝谣謠谦謙谨謹谭譚谱譜谴譴贝貝贞貞"
    "负負贡貢财財责責贤賢败敗账賬货貨质質贩販贪貪贫貧购購贯貫贴貼贵貴贷貸贸貿费費贺賀贼賊赁賃赂賂赃贓资資赋賦赌賭赎贖赏賞赐賜赔賠赖賴"
    "赚賺赛賽赞贊赠贈赡贍赵趙赶趕趋趨跃躍践踐车車轨軌轩軒转轉轮輪软軟轰轟轻輕载載较較辅輔辆輛辉輝输輸辖轄辙轍辞辭辩辯边邊辽遼达達迁遷"
    "过過迈邁运運还還这這进進远遠违違连連迟遲迹跡适適选選逊遜递遞逻邏遗遺邓鄧邮郵邻鄰郑鄭酱醬释釋鉴鑒针針钉釘钓釣钙鈣钝鈍钞鈔钟鐘钢鋼"
    "钥鑰钦欽钧鈞钩鈎钱錢钳鉗钻鑽铁鐵铃鈴铅鉛铜銅铝鋁铭銘铲鏟银銀铺鋪链鏈销銷锁鎖锂鋰锅鍋锈鏽锋鋒锐銳错錯锡錫锣鑼锤錘锦錦键鍵锯鋸锻鍛"
    "镀鍍镇鎮镜鏡镶鑲长長门門闪閃闭閉问問闯闖闲閒间間闷悶闸閘闹鬧闻聞闽閩阀閥阁閣阅閱阔闊队隊阳陽阴陰阵陣阶階际際陆陸陈陳陕陝险險随隨"
    "隐隱隶隸难難雏雛雾霧韩韓韵韻页頁顶頂项項顺順须須顽頑顾顧顿頓颁頒颂頌预預领領颇頗频頻颗顆题題颜顏额額风風飘飄飞飛饥飢饭飯饮飲饰飾"
    "饱飽饲飼饼餅饿餓馆館馈饋馒饅马馬驱驅驳駁驴驢驶駛驻駐驾駕骂罵骄驕骆駱验驗骑騎骗騙骤驟鱼魚鲁魯鲜鮮鸟鳥鸡雞鸣鳴鸭鴨鸿鴻鹅鵝麦麥黄黃"
    "齐齊齿齒龄齡龙龍龟龜"
)

SIMPLIFIED_TO_TRADITIONAL: dict[str, str] = {
    _PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)
}

_CJK_RANGES = (("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff"))


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK unified ideograph (BMP blocks and compatibility ideographs)."""
    return any(lo <= ch <= hi for lo, hi in _CJK_RANGES)
