package handlers

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// toFullWidth turns ASCII digits and the hyphen into their full-width forms,
// as a Chinese input method in full-width mode types them.
func toFullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= '0' && r <= '9') || r == '-' {
			return r - '!' + 0xFF01
		}
		return r
	}, s)
}

// Citizens point 1 of issue 7: the page said separators may be omitted, but a
// number without its hyphen was refused; on an iPhone the numeric keypad has
// no "-", so some could not get in at all.
func TestFollowupAcceptsEverySpellingOfTheNumber(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	compact := strings.ReplaceAll(number, "-", "")
	tests := map[string]string{
		"without the hyphen":               compact,
		"a space for the hyphen":           strings.Replace(number, "-", " ", 1),
		"full-width digits, no hyphen":     toFullWidth(compact),
		"full-width digits and hyphen":     toFullWidth(number),
		"ideographic space for the hyphen": strings.Replace(toFullWidth(number), "－", "\u3000", 1),
		"spaces around":                    "  " + compact + " ",
	}
	for name, typed := range tests {
		t.Run(name, func(t *testing.T) {
			e := e.in(t)
			e.mustLogin(typed, code)
			resp, body := e.get("/followup/case")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, number) {
				t.Errorf("case page after logging in with %q: status %d, number %s shown: %v", typed, resp.StatusCode, number, strings.Contains(body, number))
			}
		})
	}
}

func TestAPIAcceptsEverySpellingOfTheNumberInThePath(t *testing.T) {
	e := newTestEnv(t)
	number, code := e.submitValid()
	compact := strings.ReplaceAll(number, "-", "")
	for name, path := range map[string]string{
		"canonical":                    number,
		"without the hyphen":           compact,
		"a space for the hyphen":       url.PathEscape(strings.Replace(number, "-", " ", 1)),
		"full-width digits, no hyphen": url.PathEscape(toFullWidth(compact)),
		"full-width digits and hyphen": url.PathEscape(toFullWidth(number)),
	} {
		t.Run(name, func(t *testing.T) {
			e := e.in(t)
			resp, body := e.getWith("/api/v1/reports/"+path, map[string]string{"X-Access-Code": code})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /api/v1/reports/%s: status %d\n%s", path, resp.StatusCode, body)
			}
			if got := decodeJSONBody(t, body)["number"]; got != number {
				t.Errorf("number %v, want the canonical %s", got, number)
			}
			resp, body = e.postJSON("/api/v1/reports/"+path+"/messages", `{"body":"补充：工资表在财务室，可以调取。"}`,
				map[string]string{"X-Access-Code": code})
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("POST a message to /api/v1/reports/%s/messages: status %d\n%s", path, resp.StatusCode, body)
			}
		})
	}
}

var numberInput = regexp.MustCompile(`<input id="number"[^>]*>`)

// The number field must not open a keypad without "-" (iOS's numeric
// keypad has none), and its hint says the hyphen may be left out.
func TestFollowupNumberFieldTakesAnyKeyboardAndSaysTheHyphenMayBeOmitted(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.get("/followup")
	field := numberInput.FindString(body)
	if field == "" {
		t.Fatal("no number field on /followup")
	}
	if strings.Contains(field, `inputmode="numeric"`) || strings.Contains(field, `inputmode="decimal"`) ||
		strings.Contains(field, `type="number"`) || strings.Contains(field, `type="tel"`) {
		t.Errorf("number field opens a keypad without a hyphen: %s", field)
	}
	if !strings.Contains(field, `aria-describedby="h-number"`) {
		t.Errorf("number field is not described by its hint: %s", field)
	}
	if !strings.Contains(body, `id="h-number"`) || !strings.Contains(body, "短横线可以省略") {
		t.Error("no hint saying the hyphen of the number may be omitted")
	}
}
