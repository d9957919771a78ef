package importer

import "testing"

// TestTownshipIn finds the township a title or unit line names.
func TestTownshipIn(t *testing.T) {
	for _, tt := range []struct{ name, line, want string }{
		{"OK_Title", "南川区东城街道防止返贫监测对象花名册", "东城街道"},
		{"OK_UnitLine", "填报单位（盖章）：东城街道办事处　　统计截止时间：2022年12月31日", "东城街道"},
		{"OK_UnitWithoutColon", "填报单位东城街道办事处", "东城街道"},
		{"OK_Town", "大观镇各村监测户汇总", "大观镇"},
		{"OK_Xiang", "重庆市南川区头渡乡2023年监测户名单", "头渡乡"},
		{"OK_AfterLabel", "乡镇：水江镇", "水江镇"},
		{"OK_None_RuralRevitalisation", "南川区乡村振兴局", ""},
		{"OK_None_Label", "乡镇（街道）", ""},
		{"OK_None_Village", "黄渔村防止返贫监测对象花名册", ""},
		{"OK_None_UrbanRural", "城乡居民基本医疗保险", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := townshipIn(tt.line); got != tt.want {
				t.Fatalf("townshipIn(%q) = %q, want %q", tt.line, got, tt.want)
			}
		})
	}
}

// TestVillageFromSheetName reads a sheet named after its village.
func TestVillageFromSheetName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"黄渔村", "黄渔村"}, {"皂角井社区", "皂角井社区"}, {" 长亭村花名册 ", "长亭村"}, {"2.鼓楼坝社区", "鼓楼坝社区"},
		{"东城街道灌坝村监测户", "灌坝村"}, {"Sheet1", ""}, {"汇总", ""}, {"村", ""}, {"选项", ""},
	} {
		t.Run("OK_"+tt.name, func(t *testing.T) {
			if got := villageFromSheetName(tt.name); got != tt.want {
				t.Fatalf("villageFromSheetName(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

// TestAliasTable: prefixes match the longest first, exact names first.
func TestAliasTable(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   field
	}{
		{"风险消除后家庭纯收入", fAfterElim}, {"家庭纯收入", fNet}, {"产业帮扶（种植业）", fIgnore}, {"致贫/返贫风险3", fRisk3},
		{"致贫/返贫\n风险5", fRisk5}, {"证件类型", fDocType}, {"风险是否已消除", fEliminated}, {"消除监测时间", fElimDate},
		{"家庭人均纯收入", fPerCapita}, {"是否有家庭成员未参加城乡居民（职工）基本医疗保险", fMedicalGap}, {"未知列", fNone},
	} {
		k, _ := headerKey(tt.header)
		if got := lookup(rosterAliases, k); got != tt.want {
			t.Errorf("lookup(%q) = %d, want %d", tt.header, got, tt.want)
		}
	}
}
