package article

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRepair(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// Readings.
		{"reading after Han", "北(běi)岸(àn)報", "北岸報"},
		{"reading in running text", "最新報(bào)道顯示", "最新報道顯示"},
		{"fullwidth parens", "報（bào）道", "報道"},
		{"mixed parens", "報(bào）道", "報道"},
		{"readings in a row after one Han", "財(cái)(cái)社", "財社"},
		{"neutral tone", "我的(de)書", "我的書"},
		{"u with diaeresis", "綠(lǜ)色", "綠色"},
		{"v for u with diaeresis", "綠(lv)色", "綠色"},
		{"combining tone mark", "報(ba\u0300o)道", "報道"},
		{"syllabic n", "嗯(ǹg)好", "嗯好"},
		{"seven letters", "莊(zhuangg)", "莊(zhuangg)"},
		{"reading after punctuation stays", "，(cái)社", "，(cái)社"},
		{"reading after Latin stays", "AI(ài)", "AI(ài)"},
		{"reading after space stays", "財 (cái)", "財 (cái)"},
		{"reading at start stays", "(cái)社", "(cái)社"},
		{"Latin name stays", "安娜·奧卡福(Anna Okafor)", "安娜·奧卡福(Anna Okafor)"},
		{"acronym stays", "中心(CSET)的", "中心(CSET)的"},
		{"capitalised word stays", "奧卡福(Anna)", "奧卡福(Anna)"},
		{"lowercase English stays", "程式(app)", "程式(app)"},
		{"sic stays", "原文(sic)", "原文(sic)"},
		{"digits stay", "周六(11)", "周六(11)"},
		{"space inside stays", "學習(deep learning)", "學習(deep learning)"},
		{"Han inside stays", "周六(美國時間11月18日)", "周六(美國時間11月18日)"},
		{"empty parens stay", "財()", "財()"},
		{"unclosed paren stays", "財(cái", "財(cái"},
		{"reading then mojibake", "當(dāng)?shù貢r間", "當?shù貢r間"},

		// Middle dots.
		{"lost dot", "安娜?奧卡福", "安娜·奧卡福"},
		{"lost dot before gloss", "卡拉?林德(Cara Lind)", "卡拉·林德(Cara Lind)"},
		{"two lost dots", "甲?乙?丙", "甲·乙·丙"},
		{"dot after reading removed", "卡(kǎ)拉?林德", "卡拉·林德"},
		{"fullwidth dot before gloss", "德文？拉奧(Dev Rao)", "德文·拉奧(Dev Rao)"},
		{"fullwidth dot before fullwidth gloss", "卡拉？林德（Cara Lind）", "卡拉·林德（Cara Lind）"},
		{"sentence-final fullwidth question stays", "他會回來嗎？我們不知道。", "他會回來嗎？我們不知道。"},
		{"fullwidth question between Han stays", "為什麼？因為", "為什麼？因為"},
		{"fullwidth question without Latin gloss stays", "誰？奧卡福(當地)", "誰？奧卡福(當地)"},
		{"fullwidth question, lowercase gloss stays", "誰？阿爾(app)", "誰？阿爾(app)"},
		{"fullwidth question, long run stays", "誰？一二三四五六七八九(Sam A)", "誰？一二三四五六七八九(Sam A)"},
		{"ASCII question after particle stays", "他會回來嗎?我們", "他會回來嗎?我們"},
		{"question before Latin stays", "因?yà", "因?yà"},
		{"question after Latin stays", "Anna?阿", "Anna?阿"},
		{"question at end stays", "知道了?", "知道了?"},
		{"question before punctuation stays", "知道了?!盙reg", "知道了?!盙reg"},

		// Punctuation.
		{"double comma", "顯示,,奧卡福", "顯示,奧卡福"},
		{"double fullwidth comma", "顯示，，奧卡福", "顯示，奧卡福"},
		{"triple comma", "a,,,b", "a,b"},
		{"comma before full stop", "上演,。", "上演。"},
		{"comma before enumeration comma", "Holm,、負", "Holm、負"},
		{"comma before semicolon", "面談,;到了", "面談;到了"},
		{"fullwidth comma before colon", "如下，：", "如下："},
		{"ASCII then fullwidth comma", "a,，b", "a，b"},
		{"comma before question", "嗎,?", "嗎?"},
		{"comma before question between Han", "山,?阿", "山·阿"},
		{"doubled question between Han", "山??阿", "山·阿"},
		{"doubled full stop", "好。。", "好。"},
		{"doubled exclamation", "好!!", "好!"},
		{"comma full stop comma full stop", "好,。,。", "好。"},
		{"different marks stay", "真的?!", "真的?!"},
		{"mark then comma stays", "好。,", "好。,"},
		{"comma then space stays", "是, Acme", "是, Acme"},
		{"ASCII ellipsis stays", "然後...", "然後..."},
		{"Chinese ellipsis stays", "然後……", "然後……"},
		{"comma before ellipsis stays", "然後,……", "然後,……"},
		{"em dash stays", "大戲——Acme", "大戲——Acme"},

		// Lines.
		{"CRLF", "一\r\n二\r\n", "一\n二\n"},
		{"lone CR", "一\r二", "一\n二"},
		{"CR CR LF", "一\r\r\n二", "一\n\n二"},
		{"trailing spaces", "一  \n二\t\n三 ", "一\n二\n三"},
		{"trailing spaces before CRLF", "一 \r\n", "一\n"},
		{"leading and inner spaces stay", "  一 二", "  一 二"},
		{"ideographic space stays", "一\u3000\n", "一\u3000\n"},

		// Edges.
		{"empty", "", ""},
		{"ASCII only", "Anna Okafor (CEO), fired?", "Anna Okafor (CEO), fired?"},
		{"invalid UTF-8 passes through", "財\xff(cái)\xe3\x80,,", "財\xff(cái)\xe3\x80,"},
		{"invalid UTF-8 next to Han", "財(cái)\xff?阿", "財\xff?阿"},
		{"lone continuation bytes", "\x80\x80?\x80", "\x80\x80?\x80"},
		{"replacement character is not Han", "\uFFFD?\uFFFD", "\uFFFD?\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Repair(tt.in)
			if got != tt.want {
				t.Errorf("Repair(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Repair(got); again != got {
				t.Errorf("not idempotent: Repair(%q) = %q", got, again)
			}
		})
	}
}

var leftReading = regexp.MustCompile(`\p{Han}\([a-zü\p{M}āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)`)

func TestRepairSeed(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "seed.raw.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := Repair(string(raw))
	golden := filepath.Join("testdata", "seed.repaired.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("repaired seed differs from %s; run go test ./article -update and review the diff", golden)
	}

	if m := leftReading.FindString(got); m != "" {
		t.Errorf("reading left: %q", m)
	}
	if m := regexp.MustCompile(`\p{Han}[?？]\p{Han}`).FindString(got); m != "" {
		t.Errorf("question mark left between Han characters: %q", m)
	}
	for _, bad := range []string{",,", ",。", "，，", "\r"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q left", bad)
		}
	}
	// What the repaired seed must contain comes from the seed article itself,
	// so it is kept beside it, not in Go.
	musts, err := os.ReadFile(filepath.Join("testdata", "seed.must.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, must := range strings.Split(string(musts), "\n") {
		if must == "" || strings.HasPrefix(must, "#") {
			continue
		}
		n++
		if !strings.Contains(got, must) {
			t.Errorf("missing %q", must)
		}
	}
	if n < 5 {
		t.Errorf("only %d strings in testdata/seed.must.txt", n)
	}
	if again := Repair(got); again != got {
		t.Error("repairing the seed twice changes it")
	}
}
