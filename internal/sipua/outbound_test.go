package sipua_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/phonebar/phonebar/internal/rtctest"
	"github.com/phonebar/phonebar/internal/sipua"
)

// TestOutboundKamailio: Kamailio with its outbound module takes the registration as an RFC 5626
// flow (Require: outbound) and asks for keep-alives (Flow-Timer); the user agent follows it. Its
// registrar gives a public GRUU (RFC 5627) for the instance, which the user agent keeps for its
// dialogs' Contact.
func TestOutboundKamailio(t *testing.T) {
	rtctest.CheckLeaks(t)
	pbx := rtctest.StartPBX(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := newStateLog()
	ua, done := runUA(t, ctx, sipua.Options{
		AOR: pbx.AOR(pbx.User("outbound")), Password: rtctest.Password, URL: pbx.WSURL,
		Handler: sipua.Handler{State: log.handler},
	})
	log.wait(ctx, t, sipua.StateRegistered)
	ob, flow := ua.Outbound()
	assert.True(t, ob, "the registrar took the registration as an outbound flow")
	assert.Equal(t, rtctest.FlowTimer, flow)
	assert.Contains(t, ua.GRUU(), ";gr=urn:uuid:", "the registrar gave a GRUU")
	cancel()
	require.NoError(t, <-done)
}

func TestHeaderParam(t *testing.T) {
	const contact = `<sip:o@b.invalid;transport=ws>;expires=600;received="sip:127.0.0.1:32960;transport=ws";` +
		`pub-gruu="sip:o@127.0.0.1;gr=urn:uuid:66bb";temp-gruu="sip:uloc@127.0.0.1;gr";+sip.instance="<urn:uuid:66bb>";reg-id=1`
	for _, tc := range []struct {
		text, name, want string
		ok               bool
	}{
		{contact, "pub-gruu", "sip:o@127.0.0.1;gr=urn:uuid:66bb", true},
		{contact, "temp-gruu", "sip:uloc@127.0.0.1;gr", true},
		{contact, "PUB-GRUU", "sip:o@127.0.0.1;gr=urn:uuid:66bb", true},
		{contact, "reg-id", "1", true},
		{contact, "transport", "", false}, // a parameter of the URI, not of the header
		{`<sip:o@b.invalid>;x="a\";b";pub-gruu=plain`, "pub-gruu", "plain", true},
		{`<sip:o@b.invalid>`, "pub-gruu", "", false},
	} {
		got, ok := sipua.HeaderParam(tc.text, tc.name)
		assert.Equal(t, tc.ok, ok, "%s in %s", tc.name, tc.text)
		assert.Equal(t, tc.want, got, "%s in %s", tc.name, tc.text)
	}
}
