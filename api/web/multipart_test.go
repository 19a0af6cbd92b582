package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
)

// postFile posts a multipart form to path as a browser sends it: the
// page's CSRF token, then fields in order (name, value), then file under
// the field "file", named name.
func (c *client) postFile(path string, fields [][2]string, name string, file []byte) answer {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", c.csrf())
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}
