package phone

// Flowing reports whether the call's media sends and plays audio now.
func Flowing(c *Call) (sending, receiving bool) {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	return m.Flowing()
}
