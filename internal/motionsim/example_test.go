package motionsim_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/phonebar/phonebar/internal/motion"
	"github.com/phonebar/phonebar/internal/motionsim"
)

// How a test of another package starts the demo server: zero Options give the demo users; a low
// bcrypt cost keeps it fast; Start on port 0; Endpoint.Client trusts the certificate by its
// fingerprint only.
func Example() {
	srv, err := motionsim.New(motionsim.Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ep, err := srv.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	client := ep.Client()
	defer client.CloseIdleConnections()

	demo := motionsim.DemoLogins()[0]
	body := fmt.Sprintf(`{"name":%q,"password":%q}`, demo.Name, demo.Password)
	resp, err := client.Post(ep.URL+motion.PathAuthLocal, "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode == http.StatusOK, srv.Sessions()[0].User, srv.Sessions()[0].Via)
	// Output: true alice api
}
