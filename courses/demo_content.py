"""Demo tables of the teaching side (used by ``courses.demo``): campuses and
rooms, departments, teachers, terms and where each course is offered.

Fictional but realistic: addresses, bus lines and phone numbers are made up;
county names, holidays and local crafts are real. Courses are in
``courses.demo_courses``.
"""

import datetime

# --- Campuses ------------------------------------------------------------------
# A room: (name, seats, floor, step-free, lift, notes, department keys it suits).
# Rooms with no department keys are general classrooms any class may use.


def room(name, seats, floor=1, step_free=True, lift=False, notes="", suits=()):
    return {"name": name, "capacity": seats, "floor": floor, "step_free": step_free,
            "lift": lift, "notes": notes, "suits": tuple(suits)}


MAIN_ROOMS = [
    room("书画一室", 40, 3, lift=True, notes="大画案二十张，北向采光", suits=["shuhua"]),
    room("书画二室", 36, 3, lift=True, notes="配毛毡和笔洗，课后可留作品晾干",
         suits=["shuhua", "shougong"]),
    room("音乐教室", 60, 2, lift=True, notes="三角钢琴一台，隔音墙面", suits=["yinyue", "xiqu"]),
    room("器乐室", 30, 2, lift=True, notes="备有电子琴二十台", suits=["yinyue"]),
    room("舞蹈厅", 50, 1, notes="木地板、把杆和整面镜墙，门口有换鞋凳",
         suits=["wudao", "taiji"]),
    room("形体房", 40, 1, notes="防滑地胶，靠墙有座椅供休息", suits=["wudao", "taiji", "xiqu"]),
    room("多功能厅", 120, 1, notes="有扩音和大屏幕，座位可移动",
         suits=["wenshi", "baojian", "taiji"]),
    room("电脑室", 30, 4, lift=True, notes="电脑三十台，大字号键盘", suits=["shouji"]),
    room("智能手机教室", 45, 2, lift=True, notes="每桌有充电插座，投屏演示手机画面",
         suits=["shouji", "sheying"]),
    room("摄影教室", 36, 4, lift=True, notes="投影和调光窗帘，可借用三脚架",
         suits=["sheying"]),
    room("文史教室", 60, 2, lift=True, suits=["wenshi", "waiyu", "baojian"]),
    room("外语教室", 36, 4, lift=True, notes="每座配耳机", suits=["waiyu"]),
    room("手工坊", 30, 1, notes="长桌八张，工具柜可存放作品", suits=["shougong"]),
    room("烹饪教室", 24, 1, notes="灶台六组，抽油烟机和消防器材齐全", suits=["pengren"]),
    room("综合教室一", 50, 2, lift=True),
    room("综合教室二", 50, 3, lift=True),
]


def branch_rooms(activity_floor=1, upstairs_lift=False):
    return [
        room("综合教室一", 50, 1),
        room("综合教室二", 45, 2, step_free=False, lift=upstairs_lift,
             notes="" if upstairs_lift else "楼梯有扶手，行动不便请选一楼教室"),
        room("书画室", 36, 2, step_free=False, lift=upstairs_lift, suits=["shuhua", "shougong"]),
        room("活动室", 60, activity_floor, notes="木地板，可跳舞、打太极",
             suits=["wudao", "taiji", "yinyue", "xiqu"]),
    ]


# key, kind, title, slug, county, address, transport, phone, opening hours,
# introduction (paragraphs), rooms.
CAMPUSES = [
    ("main", "main", "丽水市老年大学校本部", "xiaobenbu", "莲都区", "丽水市莲都区丽青路 88 号",
     "乘坐 1 路、7 路、15 路公交车到“老年大学”站下车即到；乘 K2 路到“丽青路口”站下车，"
     "向北步行约 200 米。校门口有无障碍停车位四个，接送的家人可临时停车。",
     "0578-2123456", "周一至周五 8:00–17:00，有晚班的日子开放到 21:00",
     ["校本部有教学楼和综合楼两栋，共十六间专用教室，两台电梯通往各层。",
      "一楼设有学员休息区、饮水点和医务室，上课期间有值班医生。"],
     MAIN_ROOMS),
    ("longquan", "branch", "龙泉分校", "longquan", "龙泉市", "龙泉市龙渊街道中山东路 58 号",
     "乘坐龙泉 1 路、3 路公交车到“老干部活动中心”站下车，步行 100 米。",
     "0578-7123456", "周一至周五 8:00–16:30",
     ["龙泉分校设在市老干部活动中心内，开设青瓷手作等特色课程。"],
     branch_rooms(upstairs_lift=True)),
    ("qingtian", "branch", "青田分校", "qingtian", "青田县", "青田县鹤城街道临江东路 36 号",
     "乘坐青田 2 路、5 路公交车到“临江东路”站下车，沿江边步行 150 米。",
     "0578-6123456", "周一至周五 8:00–16:30",
     ["青田是著名侨乡，分校的实用英语课程很受出国探亲的学员欢迎。"],
     branch_rooms()),
    ("yunhe", "branch", "云和分校", "yunhe", "云和县", "云和县浮云街道解放街 120 号",
     "乘坐云和 1 路公交车到“解放街”站下车即到。", "0578-5123456", "周一至周五 8:00–16:30",
     ["云和分校紧邻县文化馆，排练演出场地充足。"], branch_rooms(upstairs_lift=True)),
    ("qingyuan", "branch", "庆元分校", "qingyuan", "庆元县", "庆元县松源街道濛洲街 76 号",
     "乘坐庆元 2 路公交车到“濛洲街”站下车，步行 50 米。", "0578-6223456",
     "周一至周五 8:00–16:30", ["庆元分校在县老年活动中心二楼，有电梯。"],
     branch_rooms(activity_floor=1, upstairs_lift=True)),
    ("jinyun", "branch", "缙云分校", "jinyun", "缙云县", "缙云县五云街道仙都路 210 号",
     "乘坐缙云 1 路、6 路公交车到“仙都路口”站下车，步行 200 米。", "0578-3123456",
     "周一至周五 8:00–16:30", ["缙云分校的烧饼制作、面点课程常年满员。"], branch_rooms()),
    ("suichang", "branch", "遂昌分校", "suichang", "遂昌县", "遂昌县妙高街道北街 45 号",
     "乘坐遂昌 1 路公交车到“北街”站下车即到。", "0578-8123456", "周一至周五 8:00–16:30",
     ["遂昌是汤显祖任知县的地方，分校戏曲班常排演《牡丹亭》选段。"],
     branch_rooms(upstairs_lift=True)),
    ("songyang", "branch", "松阳分校", "songyang", "松阳县", "松阳县西屏街道长松路 18 号",
     "乘坐松阳 2 路公交车到“长松路”站下车，步行 100 米。", "0578-8023456",
     "周一至周五 8:00–16:30", ["松阳分校开设松阳高腔传习和茶艺课程，传承本地非遗。"],
     branch_rooms()),
    ("jingning", "branch", "景宁分校", "jingning", "景宁畲族自治县",
     "景宁畲族自治县红星街道人民中路 99 号",
     "乘坐景宁 1 路、3 路公交车到“人民中路”站下车即到。", "0578-5023456",
     "周一至周五 8:00–16:30", ["景宁分校开设畲族舞蹈、畲族彩带编织等民族特色课程。"],
     branch_rooms(upstairs_lift=True)),
    ("wanxiang", "point", "万象街道社区教学点", "wanxiang", "莲都区",
     "丽水市莲都区万象街道解放街 168 号社区服务中心二楼",
     "乘坐 2 路、9 路公交车到“万象社区”站下车。楼内有电梯。", "0578-2213456",
     "周一至周五 8:30–11:30，14:00–16:30",
     ["在家门口上课：社区教学点由校本部老师送教，课程免费。"],
     [room("社区教室", 40, 2, lift=True), room("活动大厅", 60, 1, suits=["wudao", "taiji"])]),
    ("zijin", "point", "紫金街道社区教学点", "zijin", "莲都区",
     "丽水市莲都区紫金街道括苍路 300 号邻里中心一楼",
     "乘坐 5 路、12 路公交车到“括苍路”站下车，步行 80 米。", "0578-2223456",
     "周一至周五 8:30–11:30，14:00–16:30",
     ["教学点在邻里中心一楼，进门无台阶，适合行动不便的学员。"],
     [room("邻里课堂", 36, 1), room("健身室", 40, 1, suits=["wudao", "taiji"])]),
    ("guyan", "point", "古堰画乡教学点", "guyan", "莲都区",
     "丽水市莲都区大港头镇古堰画乡景区河埠路 8 号",
     "在丽水火车站乘坐 K12 路或旅游专线到“古堰画乡”站下车，步行 300 米。", "0578-2233456",
     "周一至周五 8:30–16:30",
     ["教学点设在瓯江边的写生基地，以户外写生和书画课为主。"],
     [room("写生教室", 30, 1, notes="面向瓯江，雨天在室内写生", suits=["shuhua", "sheying"]),
      room("茶室", 20, 1)]),
    ("qingtian-wenxi", "point", "温溪镇教学点", "wenxi", "青田县",
     "青田县温溪镇温州路 52 号文化站三楼",
     "乘坐青田—温溪城乡公交到“温溪镇政府”站下车，步行 200 米。", "0578-6523456",
     "周一至周五 8:30–16:00", ["由青田分校老师送教，课程免费。"],
     [room("文化站教室", 40, 3, step_free=False, notes="三楼无电梯，请量力而行")]),
]

# Which teachers and courses a campus draws on: teaching points are served
# by the teachers of the school they belong to.
CAMPUS_STAFF = {"wanxiang": "main", "zijin": "main", "guyan": "main",
                "qingtian-wenxi": "qingtian"}

CAMPUS_INDEX = ("campuses", "校区与教学点",
                "丽水市老年大学在九个县（市、区）设有校本部、分校和社区教学点，"
                "就近上课，少走路。")
COURSE_INDEX = ("courses", "课程目录",
                "本学期开设十二个系、八十多门课程，可以按校区、系、上课时间筛选。")

# --- Departments ------------------------------------------------------------------
# key, name, description, fee (yuan) at the main campus, capacities.
DEPARTMENTS = [
    ("shuhua", "书画系", "书法、国画和篆刻，从握笔开始，也有研修创作。", 300, (30, 40)),
    ("yinyue", "音乐系", "声乐、合唱和器乐，唱得开心，练得健康。", 240, (30, 60)),
    ("wudao", "舞蹈系", "民族舞、广场舞、交谊舞和形体，动作由浅入深。", 200, (30, 50)),
    ("wenshi", "文史系", "诗词、国学、历史和处州地方文化。", 180, (40, 60)),
    ("baojian", "保健养生系", "中医养生、慢病防治、心理健康和急救常识。", 120, (40, 60)),
    ("shouji", "智能手机与电脑系", "手机、电脑和网上办事，防诈骗，一步一步教。", 0, (20, 40)),
    ("sheying", "摄影系", "相机和手机摄影、后期修图和作品鉴赏。", 360, (25, 36)),
    ("xiqu", "戏曲系", "越剧、婺剧、京剧、黄梅戏和松阳高腔。", 220, (30, 50)),
    ("waiyu", "外语系", "英语和日语，实用会话为主，出国探亲用得上。", 280, (24, 36)),
    ("shougong", "手工艺系", "布艺、编织、剪纸、插花，以及竹编、青瓷等本地手艺。", 260, (20, 30)),
    ("taiji", "太极武术系", "太极拳、太极剑、八段锦和五禽戏。", 160, (30, 50)),
    ("pengren", "家政烹饪系", "家常菜、地方小吃、面点、茶艺和家庭收纳。", 400, (20, 24)),
]
PARTY_DEPARTMENT = ("dangxing", "党性教育", "老干部党校的理论学习、党史教育和支部工作培训。")

# --- Teachers ---------------------------------------------------------------------
# Phones +86139057800NN. real name, gender, birth date, former work unit,
# department keys, home campus key.
TEACHER_PHONE = "+86139057800{:02d}"
TEACHERS = [
    ("章汉民", "male", "1956-04-12", "丽水学院美术系", ["shuhua"], "main"),
    ("何素琴", "female", "1960-09-03", "丽水市书法家协会", ["shuhua"], "main"),
    ("柳志坚", "male", "1963-01-21", "丽水市文化馆", ["shuhua", "sheying"], "main"),
    ("蓝秀华", "female", "1962-07-18", "丽水市歌舞团", ["yinyue"], "main"),
    ("邵建平", "male", "1958-11-30", "丽水市第一中学", ["yinyue", "xiqu"], "main"),
    ("叶婉清", "female", "1965-02-14", "丽水市群众艺术馆", ["wudao"], "main"),
    ("朱丽娟", "female", "1967-05-09", "丽水市体育舞蹈协会", ["wudao", "taiji"], "main"),
    ("潘国庆", "male", "1954-10-01", "丽水学院中文系", ["wenshi"], "main"),
    ("季雅琴", "female", "1961-12-25", "丽水市档案馆", ["wenshi", "waiyu"], "main"),
    ("毛振华", "male", "1959-03-16", "丽水市中医院", ["baojian"], "main"),
    ("徐晓燕", "female", "1972-08-08", "丽水市中心医院", ["baojian", "pengren"], "main"),
    ("吴俊杰", "male", "1980-06-20", "中国电信丽水分公司", ["shouji"], "main"),
    ("林慧敏", "female", "1978-04-02", "丽水市图书馆", ["shouji", "waiyu"], "main"),
    ("鲍卫东", "male", "1957-09-27", "丽水日报社摄影部", ["sheying"], "main"),
    ("金月娥", "female", "1959-06-11", "丽水市越剧团", ["xiqu"], "main"),
    ("陈宏伟", "male", "1955-02-08", "丽水市体育运动学校", ["taiji"], "main"),
    ("刘美芬", "female", "1964-10-19", "丽水市妇女联合会", ["shougong", "pengren"], "main"),
    ("季建明", "male", "1958-12-05", "龙泉市第二中学", ["shuhua", "wenshi"], "longquan"),
    ("曾秀英", "female", "1963-03-28", "龙泉青瓷研究所", ["shougong", "baojian"], "longquan"),
    ("留志刚", "male", "1960-07-07", "青田县华侨中学", ["waiyu", "wenshi"], "qingtian"),
    ("周爱琴", "female", "1966-01-15", "青田县文化馆", ["wudao", "yinyue"], "qingtian"),
    ("柳卫平", "male", "1957-05-22", "云和县实验小学", ["shuhua", "shouji"], "yunhe"),
    ("王丽萍", "female", "1968-11-11", "云和县人民医院", ["baojian", "wudao"], "yunhe"),
    ("吴德明", "male", "1956-08-30", "庆元县中学", ["wenshi", "taiji"], "qingyuan"),
    ("姚春花", "female", "1965-04-04", "庆元县文化馆", ["yinyue", "wudao"], "qingyuan"),
    ("李荣华", "male", "1959-10-10", "缙云县职业中专", ["pengren", "shouji"], "jinyun"),
    ("应彩霞", "female", "1964-06-06", "缙云县婺剧团", ["xiqu", "wudao"], "jinyun"),
    ("华国平", "male", "1957-01-29", "遂昌县汤显祖纪念馆", ["xiqu", "wenshi"], "suichang"),
    ("郑雪芬", "female", "1967-09-13", "遂昌县人民医院", ["baojian", "taiji"], "suichang"),
    ("叶樟松", "male", "1955-12-12", "松阳县文化馆", ["xiqu", "shuhua"], "songyang"),
    ("周美娟", "female", "1966-03-03", "松阳县茶叶局", ["pengren", "wudao"], "songyang"),
    ("雷金花", "female", "1962-02-20", "景宁畲族自治县民族歌舞团", ["wudao", "shougong"],
     "jingning"),
    ("蓝振宇", "male", "1961-08-18", "景宁畲族自治县中学", ["wenshi", "taiji"], "jingning"),
    ("叶正阳", "male", "1956-07-01", "中共丽水市委党校", ["dangxing"], "party"),
    ("陈晓红", "female", "1963-11-08", "中共丽水市委党史研究室", ["dangxing"], "party"),
]
# The demo teacher account (lms.accounts.demo) teaches a few 书画 classes.
DEMO_TEACHER_PHONE = "+8613800000002"
DEMO_TEACHER_SECTIONS = 3
DEMO_CAMPUS_ADMIN_PHONE = "+8613800000003"
DEMO_CAMPUS_ADMIN_CAMPUS = "longquan"
DEMO_STUDENT_PHONE = "+8613800000001"

# --- Terms --------------------------------------------------------------------------


def _at(day: str, hour: int) -> tuple[str, int]:
    return (day, hour)


# Official 2026 arrangements (国务院办公厅, November 2025): 中秋节 25–27 September;
# 国庆节 1–7 October, with make-up working days on Sunday 20 September and
# Saturday 10 October. (In 2025 中秋 fell inside the National Day week, giving
# 1–8 October; not so in 2026.) Which weekday's classes a make-up day holds is
# the school's choice: we give back the Tuesday and Wednesday of the holiday
# week. The 2027 New Year arrangement was not published when this was
# written: 1 January 2027 (a Friday) alone is a plausible guess.
AUTUMN_2026_DAYS = [
    ("2026-09-20", "makeup", "国庆调休上课（补10月6日周二的课）", 1),
    ("2026-09-25", "holiday", "中秋节", None),
    ("2026-09-26", "holiday", "中秋节", None),
    ("2026-09-27", "holiday", "中秋节", None),
    *[(f"2026-10-0{d}", "holiday", "国庆节", None) for d in range(1, 8)],
    ("2026-10-10", "makeup", "国庆调休上课（补10月7日周三的课）", 2),
    ("2027-01-01", "holiday", "元旦", None),
]

# school key, name, first day, last day, published, per-person limit,
# renewal window, enrolment window ((date, hour) pairs), special days.
TERMS = [
    ("university", "2026年秋季学期", "2026-09-07", "2027-01-15", True, 3,
     (_at("2026-08-17", 8), _at("2026-08-21", 17)),
     (_at("2026-08-24", 8), _at("2026-09-04", 17)), AUTUMN_2026_DAYS),
    # Windows as the 招生简章 page of cms.demo announces them.
    ("university", "2027年春季学期", "2027-03-01", "2027-06-25", False, 3,
     (_at("2027-01-04", 8), _at("2027-01-08", 17)),
     (_at("2027-01-11", 8), _at("2027-01-15", 17)), []),
    ("party_school", "2026年秋季学期", "2026-09-07", "2026-12-25", True, 2,
     None, (_at("2026-08-24", 8), _at("2026-09-04", 17)),
     [d for d in AUTUMN_2026_DAYS if d[0] < "2026-12-26"]),
]
CURRENT_TERM = ("university", "2026年秋季学期")


def date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


# --- Where courses are taught ---------------------------------------------------------
# Every course runs at the main campus; these get a second class there.
MAIN_SECOND_SECTIONS = [
    "shufa-rumen", "kaishu-tigao", "guohua-huaniao", "shengyue-jichu", "hechang",
    "guangchangwu", "minzuwu-jichu", "tangshi-songci", "zhongyi-yangsheng", "shouji-rumen",
    "shouji-weixin", "shouji-paizhao", "duanshipin", "sheying-rumen", "yueju-changqiang",
    "yingyu-rumen", "lvyou-yingyu", "taijiquan-24", "baduanjin", "jiachangcai",
    "chayi", "bianzhi", "chahua", "fangzha", "jiaoyiwu",
]
_BRANCH_CORE = [
    "shouji-rumen", "shouji-weixin", "fangzha", "taijiquan-24", "baduanjin",
    "shufa-rumen", "shengyue-jichu", "guangchangwu", "zhongyi-yangsheng",
]
BRANCH_COURSES = {
    "longquan": [*_BRANCH_CORE, "qingci-shouzuo", "guohua-shanshui", "chayi", "sheying-rumen"],
    "qingtian": [*_BRANCH_CORE, "lvyou-yingyu", "tanqin-yingyu", "yingyu-rumen", "hechang"],
    "yunhe": [*_BRANCH_CORE, "minzuwu-jichu", "buyi", "guohua-huaniao", "yueju-changqiang"],
    "qingyuan": [*_BRANCH_CORE, "zhongcaoyao", "hechang", "guohua-huaniao", "taijijian"],
    "jinyun": [*_BRANCH_CORE, "difang-xiaochi", "mindian", "wuju", "minzuwu-jichu"],
    "suichang": [*_BRANCH_CORE, "yueju-changqiang", "tangshi-songci", "chuzhou-lishi",
                 "jiachangcai"],
    "songyang": [*_BRANCH_CORE, "songyang-gaoqiang", "chayi", "guohua-shanshui", "zhubian"],
    "jingning": [*_BRANCH_CORE, "shezu-wudao", "caidai-bianzhi", "chayi", "minzuwu-jichu"],
    "wanxiang": ["shouji-rumen", "fangzha", "baduanjin", "guangchangwu"],
    "zijin": ["shouji-weixin", "jijiu-fangdie", "taijiquan-24", "zhongyi-yangsheng"],
    "guyan": ["oujiang-xiesheng", "guohua-shanshui", "fengguang-sheying", "chayi"],
    "qingtian-wenxi": ["shouji-rumen", "tanqin-yingyu", "baduanjin"],
}
# Fee as a share of the main campus fee; teaching points are free.
FEE_SHARE = {"main": 1.0, "branch": 0.8, "point": 0.0}

# --- The party school (丽水市老干部党校) -------------------------------------------
PARTY_CAMPUS_INDEX = ("campuses", "上课地点",
                      "党校集中学习在人民街党校教学楼，现场教学的地点另行通知。")
PARTY_COURSE_INDEX = ("courses", "课程目录",
                      "本学期开设理论学习、党史教育和支部工作培训课程，离退休干部党员均可报名。")
PARTY_CAMPUSES = [
    ("dangxiao", "main", "丽水市老干部党校", "dangxiao", "莲都区", "丽水市莲都区人民街 100 号",
     "乘坐 3 路、8 路、11 路公交车到“人民街”站下车，向东步行 100 米。院内有无障碍通道和电梯。",
     "0578-2135678", "周一至周五 8:30–11:30，14:00–17:00",
     ["党校教学楼共三层，一楼报告厅可容纳一百二十人，二楼、三楼为小班教室和党员活动室。",
      "年老体弱、不便到校的党员，可由支部联系党校安排送学上门。"],
     [room("报告厅", 120, 1, notes="有扩音、大屏幕和助听耳机"),
      room("第一教室", 60, 2, lift=True),
      room("党员活动室", 40, 3, lift=True, notes="可开展主题党日和组织生活会")]),
]
PARTY_OFFERINGS = [
    "dangshi-zhuanti", "xinsixiang-xuexi", "shuji-lunxun", "shuji-lunxun", "zhibu-shiwu",
    "hongse-xianchang", "weidangke-zhizuo",
]
# Labels of the menu items added to each school's navigation.
MENU_LABELS = {"university": ("课程目录", "校区"), "party_school": ("课程目录", "上课地点")}
