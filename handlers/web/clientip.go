package web

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// parseProxies turns the configured trusted proxies (addresses or CIDRs) into
// prefixes. cmd validated them; a bad entry is skipped here.
func parseProxies(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out
}

func (w *Web) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range w.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address that rate limits and logs attribute a request to.
// A direct client is its connection's address. Behind trusted proxies it is
// the rightmost X-Forwarded-For entry that is not itself a trusted proxy:
// entries further left were sent by the client and can be anything, so
// trusting the leftmost (as Fiber's c.IP does) would let a client pick its own
// rate-limit bucket.
func (w *Web) ClientIP(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	remote = remote.Unmap()
	if !w.trustedProxy(remote) {
		return remote.String()
	}
	// Every header line, in order: a proxy appends its own line after any
	// the client sent, so reading only one would read the client's.
	var lines []string
	for _, l := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		lines = append(lines, string(l))
	}
	hops := strings.Split(strings.Join(lines, ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if host, _, err := net.SplitHostPort(hop); err == nil {
			hop = host
		}
		a, err := netip.ParseAddr(hop)
		if err != nil {
			break // a proxy would not write this: stop at the last sound hop
		}
		if !w.trustedProxy(a) {
			return a.Unmap().String()
		}
	}
	return remote.String()
}
