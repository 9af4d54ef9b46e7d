package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"margin/models"
	"margin/models/modeltest"
)

// Tries reserved at once, through two instances' pools on one database,
// never pass a limit: exactly Max of them get a place, the others a
// *RateLimitError saying until when, and a released place can be taken
// again.
func TestRateReserveHoldsUnderConcurrency(t *testing.T) {
	dbs := modeltest.OpenShared(t, 2)
	now := time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC)
	limits := []models.Limit{
		{Bucket: "login-user:alice", Max: 5, Window: 15 * time.Minute},
		{Bucket: "login-ip:192.0.2.1", Max: 30, Window: 15 * time.Minute},
	}
	const tries = 24
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		reserved []models.Reservation
		refused  int
		failures []error
	)
	start := make(chan struct{})
	for i := range tries {
		wg.Add(1)
		go func(db int) {
			defer wg.Done()
			<-start
			r, err := models.RateReserve(dbs[db], limits, now)
			var full *models.RateLimitError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.As(err, &full):
				refused++
				if want := now.Add(15 * time.Minute); !full.Until.Equal(want) {
					failures = append(failures, errors.New("until "+full.Until.String()+", want "+want.String()))
				}
			case err != nil:
				failures = append(failures, err)
			default:
				reserved = append(reserved, r)
			}
		}(i % 2)
	}
	close(start)
	wg.Wait()
	for _, err := range failures {
		t.Error(err)
	}
	if len(reserved) != 5 || refused != tries-5 {
		t.Fatalf("%d tries at once against a limit of 5: %d reserved, %d refused", tries, len(reserved), refused)
	}
	if err := reserved[0].Release(dbs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := models.RateReserve(dbs[1], limits, now); err != nil {
		t.Fatalf("after one place was given back: %v", err)
	}
	if _, err := models.RateReserve(dbs[1], limits, now); err == nil {
		t.Fatal("a sixth place in a full bucket")
	}
	if _, err := models.RateReserve(dbs[0], limits, now.Add(16*time.Minute)); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}
