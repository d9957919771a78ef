package synth

import "math/rand/v2"

// Word lists for names and places. They are plain data; the generator only
// draws from them.

// surnames are common Chinese family names, the most frequent first; the
// first block also holds names frequent in Chongqing (冉, 向, 谭, 母 …).
var surnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
	"何", "罗", "谭", "冉", "向", "邓", "唐", "彭", "曾", "刘", "陈", "王", "李", "张", "杨", "周",
	"高", "林", "郑", "梁", "谢", "宋", "许", "韩", "冯", "曹", "肖", "田", "董", "袁", "潘", "蒋",
	"蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟",
	"陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦",
	"邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚",
	"邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "汤", "母", "牟", "游", "甘", "韦", "况",
	"代", "文", "刁", "敖", "冷", "蒲", "庞", "舒", "税", "幸", "晏", "陈", "刘", "张", "李", "王",
}

// givenPool holds the characters of given names for one sex and era: the
// first character of a two-character name, and the second (also used alone
// for one-character names).
type givenPool struct{ first, second []string }

// Given names follow fashion: people born before 1965, 1965–1989 and from
// 1990 on get names from different pools.
var (
	maleOld = givenPool{
		first:  []string{"德", "国", "建", "文", "永", "明", "光", "正", "学", "开", "世", "大", "绍", "长", "玉", "宗", "良", "万", "自", "昌", "树", "志", "继", "兴"},
		second: []string{"明", "华", "平", "军", "福", "成", "贵", "荣", "富", "忠", "清", "林", "山", "海", "祥", "全", "才", "发", "安", "云", "兵", "强", "勇", "元", "友", "禄", "均", "伦"},
	}
	femaleOld = givenPool{
		first:  []string{"秀", "桂", "玉", "淑", "素", "春", "翠", "凤", "兰", "明", "金", "银", "德", "永", "光", "仕", "泽", "家"},
		second: []string{"英", "兰", "芳", "珍", "华", "琼", "梅", "莲", "清", "容", "香", "芬", "秀", "群", "菊", "碧", "蓉", "凤", "仙", "珍", "娥"},
	}
	maleMid = givenPool{
		first:  []string{"志", "小", "建", "海", "晓", "俊", "伟", "红", "勇", "军", "洪", "国", "家", "成", "明", "宏", "永", "春", "德", "世"},
		second: []string{"伟", "强", "军", "勇", "波", "涛", "峰", "杰", "刚", "斌", "鹏", "林", "超", "辉", "平", "东", "亮", "兵", "华", "明", "江", "川"},
	}
	femaleMid = givenPool{
		first:  []string{"小", "丽", "晓", "红", "海", "春", "玉", "雪", "美", "燕", "秀", "金", "明", "安", "德"},
		second: []string{"丽", "红", "燕", "梅", "霞", "琴", "敏", "艳", "娟", "玲", "萍", "芳", "静", "莉", "英", "琼", "平", "群"},
	}
	maleYoung = givenPool{
		first:  []string{"子", "梓", "浩", "宇", "俊", "一", "博", "思", "文", "皓", "雨", "志", "家", "嘉", "天", "明", "晨", "锦", "睿", "奕"},
		second: []string{"轩", "涵", "豪", "宇", "杰", "然", "辰", "泽", "睿", "航", "阳", "鑫", "博", "凯", "晨", "磊", "浩", "铭", "翔", "宸", "洋"},
	}
	femaleYoung = givenPool{
		first:  []string{"欣", "雨", "思", "梓", "佳", "诗", "子", "可", "紫", "一", "雅", "梦", "语", "若", "依", "心", "嘉", "晓"},
		second: []string{"怡", "涵", "琪", "萱", "彤", "妍", "馨", "悦", "琳", "婷", "雯", "瑶", "然", "菲", "洁", "琦", "蕊", "欣"},
	}
)

// givenName draws a given name fitting sex and birth year.
func givenName(r *rand.Rand, male bool, birthYear int) string {
	var p givenPool
	switch {
	case birthYear < 1965 && male:
		p = maleOld
	case birthYear < 1965:
		p = femaleOld
	case birthYear < 1990 && male:
		p = maleMid
	case birthYear < 1990:
		p = femaleMid
	case male:
		p = maleYoung
	default:
		p = femaleYoung
	}
	second := p.second[r.IntN(len(p.second))]
	if r.IntN(100) < 10 {
		return second
	}
	return p.first[r.IntN(len(p.first))] + second
}

func surname(r *rand.Rand) string { return surnames[r.IntN(len(surnames))] }

// DefaultTownships are the townships of a generated area when Config leaves
// them empty: the 街道 and 镇 of a Chongqing district.
var DefaultTownships = []string{
	"东城街道", "西城街道", "南城街道", "大观镇", "水江镇", "三泉镇", "南平镇", "神童镇", "鸣玉镇", "兴隆镇",
}

// Village names are two place-name syllables and a suffix (村 or 社区), or one
// of a few longer names seen in the field.
var (
	villageFirst = []string{
		"高", "石", "黄", "柏", "龙", "新", "太", "永", "金", "银", "白", "青", "红", "双", "三", "大",
		"小", "马", "凤", "桃", "李", "杨", "竹", "松", "茶", "花", "水", "山", "河", "平", "安", "兴",
		"福", "和", "庆", "长", "鹿", "鱼", "观", "乐", "东", "南", "西", "北", "中", "丰", "富", "云",
	}
	villageSecond = []string{
		"桥", "井", "坝", "湾", "岩", "沟", "坪", "林", "山", "塘", "垭", "口", "溪", "冲", "坡", "岭",
		"园", "堡", "寨", "庙", "场", "河", "台", "嘴", "田", "峰", "池", "湖", "兴", "平", "丰", "华",
	}
	villageWhole = []string{
		"皂角井", "黄泥坝", "石墙院", "柏枝山", "龙岩江", "双河口", "桃花源", "马嘴岩", "青杠林", "凤凰嘴",
		"三汇口", "金竹湾", "白果树", "红星", "新华", "太平", "永安", "长青", "和平", "先锋",
	}
)
