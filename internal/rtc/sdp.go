package rtc

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// SDP directions.
const (
	SendRecv = "sendrecv"
	SendOnly = "sendonly"
	RecvOnly = "recvonly"
	Inactive = "inactive"
)

func parseSDP(raw []byte) (*sdp.SessionDescription, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(raw)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return &sd, nil
}

func audioSection(sd *sdp.SessionDescription) (int, *sdp.MediaDescription) {
	for i, m := range sd.MediaDescriptions {
		if m.MediaName.Media == "audio" {
			return i, m
		}
	}
	return -1, nil
}

// candidate is the part of an a=candidate line that chooses a default.
type candidate struct {
	component string
	transport string
	ip        net.IP
	port      int
	typ       string
}

func parseCandidate(v string) (candidate, bool) {
	f := strings.Fields(v)
	if len(f) < 8 || f[6] != "typ" {
		return candidate{}, false
	}
	port, err := strconv.Atoi(f[5])
	ip := net.ParseIP(f[4])
	if err != nil || ip == nil || port <= 0 || port > 65535 {
		return candidate{}, false
	}
	return candidate{component: f[1], transport: strings.ToLower(f[2]), ip: ip, port: port, typ: f[7]}, true
}

// rank orders candidates for the default: what a phone or media relay that ignores ICE can reach
// best. A relay address works from anywhere, a server-reflexive one from outside, a host one on the
// LAN; loopback only on this machine.
func rank(c candidate) int {
	r := 0
	switch c.typ {
	case "relay":
		r = 40
	case "srflx":
		r = 30
	case "host":
		r = 20
	case "prflx":
		r = 10
	}
	if c.ip.To4() != nil {
		r += 2
	}
	if c.ip.IsLoopback() {
		r -= 15
	}
	return r
}

// PatchDefaultCandidate puts, in every media section's c= and m= lines, the address of its best
// gathered candidate instead of pion's "0.0.0.0 port 9", which media relays and older phones read
// as hold or as "no ICE". Sections without a usable candidate are left as they are.
func PatchDefaultCandidate(raw []byte) ([]byte, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	var first *sdp.ConnectionInformation
	for _, m := range sd.MediaDescriptions {
		best, found := candidate{}, false
		for _, a := range m.Attributes {
			if a.Key != "candidate" {
				continue
			}
			c, ok := parseCandidate(a.Value)
			if !ok || c.component != "1" || c.transport != "udp" {
				continue
			}
			if !found || rank(c) > rank(best) {
				best, found = c, true
			}
		}
		if !found {
			continue
		}
		addrType := "IP4"
		if best.ip.To4() == nil {
			addrType = "IP6"
		}
		ci := &sdp.ConnectionInformation{NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: best.ip.String()}}
		m.ConnectionInformation = ci
		m.MediaName.Port = sdp.RangedPort{Value: best.port}
		if first == nil {
			first = ci
		}
	}
	if first != nil && sd.ConnectionInformation != nil {
		c := *first
		sd.ConnectionInformation = &c
	}
	out, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return out, nil
}

// PatchAnswer makes an answer pion can use: a media section without a=mid (older PBXs and phones
// send such answers) gets the mid of the offer's section at the same position.
func PatchAnswer(offer, answer []byte) ([]byte, error) {
	osd, err := parseSDP(offer)
	if err != nil {
		return nil, err
	}
	asd, err := parseSDP(answer)
	if err != nil {
		return nil, err
	}
	if _, m := audioSection(asd); m == nil {
		return nil, ErrNoAudio
	}
	changed := false
	for i, m := range asd.MediaDescriptions {
		if _, ok := m.Attribute("mid"); ok || i >= len(osd.MediaDescriptions) {
			continue
		}
		if mid, ok := osd.MediaDescriptions[i].Attribute("mid"); ok {
			m.WithValueAttribute("mid", mid)
			changed = true
		}
	}
	if !changed {
		return answer, nil
	}
	out, err := asd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return out, nil
}

// Direction returns the direction of the first audio section: its attribute, else the session's,
// else sendrecv; a section with port 0 is inactive.
func Direction(raw []byte) (string, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return "", err
	}
	_, m := audioSection(sd)
	if m == nil {
		return "", ErrNoAudio
	}
	dir := SendRecv
	for _, a := range sd.Attributes {
		if isDirection(a.Key) {
			dir = a.Key
		}
	}
	for _, a := range m.Attributes {
		if isDirection(a.Key) {
			dir = a.Key
		}
	}
	if m.MediaName.Port.Value == 0 {
		dir = Inactive
	}
	return dir, nil
}

func isDirection(k string) bool {
	return k == SendRecv || k == SendOnly || k == RecvOnly || k == Inactive
}

// Reverse returns the direction that answers dir.
func Reverse(dir string) string {
	switch dir {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}

// withDirection returns raw with every audio section's direction set to dir and the origin's
// session version set to version.
func withDirection(raw []byte, dir string, version uint64) ([]byte, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	sd.Origin.SessionVersion = version
	directAudio(sd, dir)
	return sd.Marshal()
}

// directAudio sets every audio section's direction to dir (and drops a session-level one).
func directAudio(sd *sdp.SessionDescription, dir string) {
	kept := sd.Attributes[:0]
	for _, a := range sd.Attributes {
		if !isDirection(a.Key) {
			kept = append(kept, a)
		}
	}
	sd.Attributes = kept
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		attrs := m.Attributes[:0]
		for _, a := range m.Attributes {
			if !isDirection(a.Key) {
				attrs = append(attrs, a)
			}
		}
		m.Attributes = append(attrs, sdp.Attribute{Key: dir})
	}
}

// transport is what identifies a media transport in an SDP: the ICE credentials (new ones are an
// ICE restart, which moves the media to other addresses) and the DTLS fingerprint (a new one would
// be a new DTLS association: new keys).
type transport struct {
	ice         string
	fingerprint string
}

// transportOf reads the transport of the first audio section (or the session's attributes).
func transportOf(raw []byte) (transport, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return transport{}, err
	}
	_, m := audioSection(sd)
	if m == nil {
		return transport{}, ErrNoAudio
	}
	get := func(key string) string {
		if v, ok := m.Attribute(key); ok {
			return v
		}
		v, _ := sd.Attribute(key)
		return v
	}
	return transport{ice: get("ice-ufrag") + " " + get("ice-pwd"), fingerprint: get("fingerprint")}, nil
}

// setDirection returns raw with every audio section's direction set to dir, its origin untouched.
func setDirection(raw []byte, dir string) ([]byte, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	directAudio(sd, dir)
	return sd.Marshal()
}

// audioCodecNames lists the encoding names of the first audio section (rtpmap and static types).
func audioCodecNames(raw []byte) ([]string, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	_, m := audioSection(sd)
	if m == nil {
		return nil, ErrNoAudio
	}
	names := map[string]string{}
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		pt, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, "/")
		names[pt] = name
	}
	var out []string
	for _, f := range m.MediaName.Formats {
		if n, ok := names[f]; ok {
			out = append(out, n)
			continue
		}
		switch f {
		case "0":
			out = append(out, "PCMU")
		case "8":
			out = append(out, "PCMA")
		}
	}
	return out, nil
}

// withoutUnmappedPayloads drops from each media line the dynamic payload types (96 to 127) that no
// a=rtpmap names: some far ends keep listing a format after taking its mapping out (a PBX told to
// offer no telephone events, say), and pion refuses a whole description for one. A description
// with nothing to drop, or one that does not parse, is returned as it is.
func withoutUnmappedPayloads(raw []byte) []byte {
	sd, err := parseSDP(raw)
	if err != nil {
		return raw
	}
	dropped := false
	for _, m := range sd.MediaDescriptions {
		mapped := map[string]bool{}
		for _, a := range m.Attributes {
			if a.Key == "rtpmap" {
				pt, _, _ := strings.Cut(a.Value, " ")
				mapped[pt] = true
			}
		}
		kept := m.MediaName.Formats[:0]
		for _, f := range m.MediaName.Formats {
			if n, err := strconv.Atoi(f); err == nil && n >= 96 && n <= 127 && !mapped[f] {
				dropped = true
				continue
			}
			kept = append(kept, f)
		}
		m.MediaName.Formats = kept
	}
	if !dropped {
		return raw
	}
	out, err := sd.Marshal()
	if err != nil {
		return raw
	}
	return out
}

// takeCandidates removes the ICE candidates (and end-of-candidates) of the first audio section and
// returns them with the section's mid and the remaining description.
func takeCandidates(raw []byte) (cands []string, mid string, rest []byte, err error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, "", nil, err
	}
	_, m := audioSection(sd)
	if m == nil {
		return nil, "", nil, ErrNoAudio
	}
	mid, _ = m.Attribute("mid")
	kept := m.Attributes[:0]
	for _, a := range m.Attributes {
		switch a.Key {
		case "candidate":
			cands = append(cands, a.Value)
		case "end-of-candidates":
		default:
			kept = append(kept, a)
		}
	}
	m.Attributes = kept
	rest, err = sd.Marshal()
	return cands, mid, rest, err
}

// settleSetup returns our offer local as it stands once answered by answer: its a=setup:actpass
// (which only an offer may say) becomes the DTLS role the answer left us, the other of the
// answer's, so that an answer we later build from it (to the other side's hold) says a role. An
// offer that says a role already, or an answer that says none, leaves local as it is.
func settleSetup(local, answer []byte) []byte {
	asd, err := parseSDP(answer)
	if err != nil {
		return local
	}
	theirs := ""
	if _, m := audioSection(asd); m != nil {
		theirs, _ = m.Attribute("setup")
	}
	if theirs == "" {
		theirs, _ = asd.Attribute("setup")
	}
	ours := map[string]string{"active": "passive", "passive": "active"}[theirs]
	if ours == "" {
		return local
	}
	sd, err := parseSDP(local)
	if err != nil {
		return local
	}
	changed := false
	for _, attrs := range append([]*[]sdp.Attribute{&sd.Attributes}, mediaAttributes(sd)...) {
		for i, a := range *attrs {
			if a.Key == "setup" && a.Value == "actpass" {
				(*attrs)[i].Value = ours
				changed = true
			}
		}
	}
	if !changed {
		return local
	}
	out, err := sd.Marshal()
	if err != nil {
		return local
	}
	return out
}

func mediaAttributes(sd *sdp.SessionDescription) []*[]sdp.Attribute {
	var out []*[]sdp.Attribute
	for _, m := range sd.MediaDescriptions {
		out = append(out, &m.Attributes)
	}
	return out
}

// withPacketTime returns raw with every audio section saying the packet time this end prefers to
// receive (a=ptime, RFC 4566) and the longest packet it takes (a=maxptime), in milliseconds, in
// place of any such lines before.
func withPacketTime(raw []byte, ptime, maxptime time.Duration) ([]byte, error) {
	sd, err := parseSDP(raw)
	if err != nil {
		return nil, err
	}
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			continue
		}
		attrs := m.Attributes[:0]
		for _, a := range m.Attributes {
			if a.Key != "ptime" && a.Key != "maxptime" {
				attrs = append(attrs, a)
			}
		}
		m.Attributes = append(attrs,
			sdp.Attribute{Key: "ptime", Value: strconv.FormatInt(ptime.Milliseconds(), 10)},
			sdp.Attribute{Key: "maxptime", Value: strconv.FormatInt(maxptime.Milliseconds(), 10)})
	}
	out, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return out, nil
}

// remotePacketTime reads what the other side's description asks of the packets sent to it: the
// a=ptime and a=maxptime of its first audio section (or of the session), zero for a line that is
// absent or unreadable.
func remotePacketTime(raw []byte) (ptime, maxptime time.Duration) {
	sd, err := parseSDP(raw)
	if err != nil {
		return 0, 0
	}
	_, m := audioSection(sd)
	if m == nil {
		return 0, 0
	}
	get := func(key string) time.Duration {
		v, ok := m.Attribute(key)
		if !ok {
			v, ok = sd.Attribute(key)
		}
		if !ok {
			return 0
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f <= 0 || f > 1000 {
			return 0
		}
		return time.Duration(f * float64(time.Millisecond))
	}
	return get("ptime"), get("maxptime")
}

// negotiatePacketTime is the packet time to send: ours, or the other side's a=ptime when it asks
// for another this end sends (10 or 20 ms), shortened to 10 ms when its a=maxptime takes less.
func negotiatePacketTime(ours, ptime, maxptime time.Duration) time.Duration {
	p := ours
	if ptime == 10*time.Millisecond || ptime == 20*time.Millisecond {
		p = ptime
	}
	if maxptime > 0 && p > maxptime {
		p = 10 * time.Millisecond
	}
	return p
}
