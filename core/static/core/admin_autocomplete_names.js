'use strict';
// Gives the select2 controls of autocomplete fields in tabular inlines the accessible name of the
// <select> they stand for (WCAG 2.1: 4.1.2). LabelledInlineFormSet names each <select> by its column
// and row; select2 copies neither onto its combobox nor onto the text that shows the choice, so an
// empty choice left both unnamed. A MutationObserver names each widget as select2 inserts it, on
// page load and for each row the "Add another" link adds.
{
    function nameWidget(widget) {
        const select = widget.previousElementSibling;
        if (!select || !select.matches('select.admin-autocomplete[aria-label]')) {
            return;
        }
        const name = select.getAttribute('aria-label');
        widget.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function(part) {
            part.setAttribute('aria-label', name);
        });
    }

    new MutationObserver(function(mutations) {
        mutations.forEach(function(mutation) {
            mutation.addedNodes.forEach(function(node) {
                if (node.nodeType === Node.ELEMENT_NODE && node.matches('span.select2-container')) {
                    nameWidget(node);
                }
            });
        });
    }).observe(document.documentElement, {childList: true, subtree: true});
}
