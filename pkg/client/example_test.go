package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/salyq/salyq/pkg/client"
)

// An ERP files a form and waits for SONO's final word on it.
func Example() {
	c, err := client.New("https://salyq.example.kz:8480", client.WithToken(os.Getenv("SALYQ_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	form, err := os.ReadFile("910.00-2025-H1.xml")
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
	defer cancel()
	sub, err := c.Submit(ctx, form)
	var refusal *client.APIError
	switch {
	case errors.Is(err, client.ErrRefused) && errors.As(err, &refusal):
		log.Fatalf("fix the form: %s: %s", refusal.Field, refusal.Reason)
	case errors.Is(err, client.ErrUnavailable):
		log.Fatal("try again later; submitting the same form again is safe")
	case err != nil:
		log.Fatal(err)
	}
	st, err := c.Wait(ctx, sub.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sub.ID, st.Status, st.Outcome)
}
