package quality

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMOSFromR(t *testing.T) {
	tests := []struct {
		name string
		r    float64
		want float64
	}{
		{"below zero is the floor", -10, 1},
		{"zero is the floor", 0, 1},
		{"G.107 default rating", 93.2, 4.41},
		{"the many-users-dissatisfied boundary", 70, 3.60},
		{"the nearly-all-dissatisfied boundary", 50, 2.58},
		{"a hundred is the ceiling", 100, 4.5},
		{"above a hundred is the ceiling", 120, 4.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, MOS(tt.r), 0.01)
		})
	}
}

func TestR(t *testing.T) {
	tests := []struct {
		name string
		in   Impairments
		want float64
	}{
		{"G.711, no loss, no delay", Impairments{Codec: "pcmu"}, 93.2},
		// Id = 0.024·100 = 2.4.
		{"100 ms one way", Impairments{Codec: "PCMA", DelayMs: 100}, 90.8},
		// Id = 0.024·300 + 0.11·(300 − 177.3) = 7.2 + 13.497.
		{"300 ms one way", Impairments{Codec: "pcmu", DelayMs: 300}, 72.503},
		// Ie,eff = 95·5/(5 + 25.1) = 15.781.
		{"5 % random loss", Impairments{Codec: "opus", LossPct: 5}, 77.419},
		// Ie,eff = 95·20/(20 + 25.1) = 42.129.
		{"20 % random loss", Impairments{Codec: "opus", LossPct: 20}, 51.071},
		// Ie,eff = 95·5/(5/2 + 25.1) = 17.210.
		{"5 % loss in bursts", Impairments{Codec: "pcmu", LossPct: 5, BurstRatio: 2}, 75.990},
		{"loss above 100 % is 100 %", Impairments{Codec: "pcmu", LossPct: 150}, 93.2 - 95*100/(100+25.1)},
		{"an unknown codec is taken as G.711", Impairments{Codec: "g729", LossPct: 5}, 77.419},
		{"a negative delay is none", Impairments{Codec: "pcmu", DelayMs: -5}, 93.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, R(tt.in), 0.01)
		})
	}
}

func TestEstimateFallsWithEveryImpairment(t *testing.T) {
	base := Estimate(Impairments{Codec: "opus", DelayMs: 60})
	for _, in := range []Impairments{
		{Codec: "opus", DelayMs: 60, LossPct: 1},
		{Codec: "opus", DelayMs: 250},
		{Codec: "opus", DelayMs: 60, LossPct: 1, BurstRatio: 3},
	} {
		assert.Less(t, Estimate(in), base, "%+v", in)
	}
	assert.Greater(t, base, 4.3, "a clean call with a short delay rates above 4.3")
}
