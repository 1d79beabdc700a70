/* test_egress_html.c — HTML to text/Markdown conversion for web_fetch: structure, dropped
 * content (script/style/noscript/head), entities, and hostile or broken markup. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "egress/egress.h"

static char *md(const char *h)
{
    return egress_html_to_text(h, strlen(h), EGRESS_HTML_MARKDOWN);
}
static char *txt(const char *h)
{
    return egress_html_to_text(h, strlen(h), EGRESS_HTML_TEXT);
}

#define EQ(fn, in, want)                                                                      \
    do {                                                                                      \
        char *got_ = fn(in);                                                                  \
        cr_expect_str_eq(got_, want, "input: %s", in);                                        \
        free(got_);                                                                           \
    } while (0)

Test(egress_html, headings_and_paragraphs)
{
    EQ(md, "<h1>Title</h1><p>One</p><p>Two</p>", "# Title\n\nOne\n\nTwo\n");
    EQ(md, "<h3>Deep</h3>text", "### Deep\n\ntext\n");
    EQ(txt, "<h1>Title</h1><p>One</p><p>Two</p>", "Title\n\nOne\n\nTwo\n");
    EQ(md, "<p>  lots   of \n\n  space </p>", "lots of space\n");
}

Test(egress_html, links_and_images)
{
    EQ(md, "<p>see <a href=\"https://x.org/a?b=1&amp;c=2\">the docs</a>.</p>",
       "see [the docs](https://x.org/a?b=1&c=2).\n");
    EQ(txt, "<p>see <a href=\"https://x.org/\">the docs</a>.</p>", "see the docs.\n");
    EQ(md, "<a href='javascript:alert(1)'>click</a>", "click\n");
    EQ(md, "<img src=\"/i.png\" alt=\"a cat\">", "![a cat](/i.png)\n");
    EQ(txt, "<img src=\"/i.png\" alt=\"a cat\">", "a cat\n");
    EQ(md, "<a href=x>unquoted</a>", "[unquoted](x)\n");
}

Test(egress_html, lists)
{
    EQ(md, "<ul><li>one</li><li>two</li></ul>", "- one\n- two\n");
    EQ(md, "<ol><li>one<li>two<li>three</ol>", "1. one\n2. two\n3. three\n");
    EQ(md, "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c\n");
    EQ(txt, "<ul><li>one</li></ul>", "* one\n");
}

Test(egress_html, pre_and_code)
{
    EQ(md, "<pre><code>x = 1;\n  y = 2;</code></pre>", "```\nx = 1;\n  y = 2;\n```\n");
    EQ(md, "<p>call <code>f(x)</code> now</p>", "call `f(x)` now\n");
    EQ(txt, "<pre>a\n  b</pre>", "a\n  b\n");
    EQ(md, "<pre>&lt;tag&gt;</pre>", "```\n<tag>\n```\n");
}

Test(egress_html, dropped_content)
{
    EQ(md, "<head><title>T</title><style>p{}</style></head><body>x</body>", "x\n");
    EQ(md, "a<script>var s = '</p>'; evil()</script>b", "ab\n");
    EQ(md, "a<SCRIPT type=x>evil()</SCRIPT >b", "ab\n");
    EQ(md, "a<style>body{}</style>b", "ab\n");
    EQ(md, "a<noscript>NS</noscript>b", "ab\n");
    EQ(md, "a<template><p>T</p></template>b", "ab\n");
    EQ(md, "a<!-- secret <p>x</p> -->b", "ab\n");
    EQ(md, "<!DOCTYPE html>a", "a\n");
    EQ(md, "a<script>never closed", "a\n");
}

Test(egress_html, entities)
{
    EQ(txt, "&amp; &lt; &gt; &quot; &apos; &#65; &#x42; &eacute; &mdash;",
       "& < > \" ' A B \xc3\xa9 \xe2\x80\x94\n");
    EQ(txt, "&#0; &#xD800; &#x110000; &#150;", "\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\n");
    EQ(txt, "&unknown; & &# &#x; AT&T", "&unknown; & &# &#x; AT&T\n");
    EQ(txt, "&#99999999999999999999;", "\xef\xbf\xbd\n");
    EQ(txt, "a&nbsp;b", "a b\n");
}

Test(egress_html, emphasis_quotes_tables)
{
    EQ(md, "<p><b>bold</b> and <em>it</em></p>", "**bold** and _it_\n");
    EQ(md, "<blockquote><p>quoted</p></blockquote>after", "> quoted\n\nafter\n");
    EQ(md, "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>",
       "a | b\n1 | 2\n");
    EQ(md, "x<br>y<br/>z", "x\ny\nz\n");
    EQ(md, "a<hr>b", "a\n\n---\n\nb\n");
    EQ(md, "<blockquote>q1<blockquote>q2</blockquote></blockquote>", "> q1\n> >\n> > q2\n");
    EQ(md, "<p>a\0b\x01c</p>", "a\n");
}

Test(egress_html, broken_and_hostile_markup)
{
    EQ(md, "", "");
    EQ(md, "<", "<\n");
    EQ(md, "a < b > c", "a < b > c\n");
    EQ(md, "<p", "");
    EQ(md, "<p class=\"a>b\">x</p>", "x\n");
    EQ(md, "</ul></ol></li></pre></blockquote>text", "text\n");
    EQ(md, "<a href=\"unterminated>x", "");
    char *deep = malloc(200001);
    for (int i = 0; i < 100000; i++)
        memcpy(deep + 2 * i, i % 2 ? "<ul" : "><", 2);
    deep[200000] = 0;
    char *o = md(deep);
    cr_expect(o != NULL);
    free(o);
    free(deep);
    /* nested lists far beyond the indentation cap */
    char nest[8000] = "";
    for (int i = 0; i < 500; i++)
        strcat(nest, "<ul><li>");
    strcat(nest, "x");
    o = md(nest);
    cr_expect(strlen(o) < 500 * 40, "%zu", strlen(o)); /* indentation is capped */
    free(o);
    /* binary junk and embedded NULs */
    char junk[256];
    for (int i = 0; i < 256; i++)
        junk[i] = (char)i;
    o = egress_html_to_text(junk, sizeof junk, EGRESS_HTML_TEXT);
    cr_expect(o != NULL);
    for (const char *p = o; *p; p++)
        cr_expect((unsigned char)*p >= 0x20 || *p == '\n', "control byte %d kept", *p);
    free(o);
    o = egress_html_to_text(NULL, 10, EGRESS_HTML_TEXT);
    cr_expect_str_eq(o, "");
    free(o);
}

Test(egress_html, sample_page)
{
    const char *page =
        "<!DOCTYPE html><html><head><title>T</title><style>body{color:red}</style>"
        "<script>var secret = 1;</script></head><body>"
        "<h1>Title &amp; more</h1><p>Hello <b>world</b> &lt;3 &#x263A;</p>"
        "<ul><li>one</li><li><a href=\"/two\">two</a></li></ul>"
        "<pre><code>x = 1;\ny = 2;</code></pre><noscript>NOSCRIPT</noscript></body></html>";
    EQ(md, page,
       "# Title & more\n\nHello **world** <3 \xe2\x98\xba\n\n- one\n- [two](/two)\n\n"
       "```\nx = 1;\ny = 2;\n```\n");
}
